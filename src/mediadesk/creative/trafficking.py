"""The trafficking sheet a vendor gets: which file runs on which of its placements, when, in what
rotation and with which click-through URL, as XLSX (and by e-mail with the files or links).

Vendors have no account, so each file on the sheet has a signed, expiring download link
(``file_link``) that names one version; a link for another version, a tampered one or an expired
one is refused. Files are attached to the e-mail while they fit in ``MAX_ATTACHED_BYTES``
together; above that the e-mail carries the links only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.urls import reverse

from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import record
from mediadesk.creative.models import AssetVersion, Assignment
from mediadesk.domain.ratecards import match_key
from mediadesk.planning.models import Campaign
from mediadesk.web.exports import Column, to_xlsx

FILE_SALT = "mediadesk.creative.file"
FILE_LINK_DAYS = 30
MAX_ATTACHED_BYTES = 15 * 1024 * 1024


class FileLinkError(Exception):
    """A download link that cannot be used; the message says why."""


def file_link(version: AssetVersion) -> str:
    return signing.dumps({"version": version.pk, "sum": version.checksum[:16]}, salt=FILE_SALT)


def version_for_link(token: str) -> AssetVersion:
    try:
        payload = signing.loads(token, salt=FILE_SALT, max_age=FILE_LINK_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise FileLinkError(
            "This download link has expired; ask the agency for a new sheet."
        ) from exc
    except signing.BadSignature as exc:
        raise FileLinkError("This download link is not valid.") from exc
    version = AssetVersion.objects.select_related("asset").filter(pk=payload.get("version")).first()
    if version is None or version.checksum[:16] != payload.get("sum") or not version.file:
        raise FileLinkError("This file is no longer available; ask the agency for a new sheet.")
    return version


@dataclass(frozen=True, slots=True)
class SheetRow:
    assignment: Assignment
    download: str  # absolute or site-relative link to the file


def sheet_rows(campaign: Campaign, vendor: str = "", link_base: str = "") -> list[SheetRow]:
    """The campaign's current assignments (of one vendor, when named), placement by placement."""
    assignments = (
        Assignment.objects.current()
        .filter(campaign=campaign)
        .select_related("placement", "version__asset")
        .order_by("placement__position", "line_key", "starts", "pk")
    )
    wanted = match_key(vendor) if vendor else ""
    rows = []
    for assignment in assignments:
        placement = assignment.placement
        if wanted and (placement is None or match_key(placement.vendor) != wanted):
            continue
        link = ""
        if assignment.version.file:
            path = reverse("creative:file_link", args=[file_link(assignment.version)])
            link = f"{link_base.rstrip('/')}{path}"
        rows.append(SheetRow(assignment, link))
    return rows


def _placement(row: SheetRow, attribute: str) -> Any:
    placement = row.assignment.placement
    return getattr(placement, attribute, "") if placement is not None else ""


def _size(row: SheetRow) -> str:
    meta = row.assignment.version.metadata
    if meta.get("width") and meta.get("height"):
        return f"{meta['width']}x{meta['height']}"
    if meta.get("duration"):
        return str(meta["duration"])
    return ""


COLUMNS = (
    Column("Placement code", lambda r: _placement(r, "code") or r.assignment.line_key),
    Column("Vendor", lambda r: _placement(r, "vendor")),
    Column("Property", lambda r: _placement(r, "property_name")),
    Column("Format", lambda r: _placement(r, "format")),
    Column("Market", lambda r: _placement(r, "market")),
    Column("Asset", lambda r: r.assignment.version.asset.name),
    Column("Version", lambda r: r.assignment.version.number),
    Column("File", lambda r: r.assignment.version.original_name or "(copy)"),
    Column("Size / length", _size),
    Column("Start", lambda r: r.assignment.starts),
    Column("End", lambda r: r.assignment.ends),
    Column("Rotation weight", lambda r: r.assignment.weight),
    Column("Rotation share %", lambda r: None),  # filled below: per placement and dates
    Column("Click-through URL", lambda r: r.assignment.tracked_url or r.assignment.click_url),
    Column("Download", lambda r: r.download),
)


def _with_shares(rows: Sequence[SheetRow]) -> list[Column]:
    totals: dict[tuple[str, date, date], int] = {}
    for row in rows:
        key = (row.assignment.line_key, row.assignment.starts, row.assignment.ends)
        totals[key] = totals.get(key, 0) + row.assignment.weight
    share = Column(
        "Rotation share %",
        lambda r: round(
            100
            * r.assignment.weight
            / totals[(r.assignment.line_key, r.assignment.starts, r.assignment.ends)]
        ),
    )
    return [share if column.header == "Rotation share %" else column for column in COLUMNS]


def sheet_xlsx(campaign: Campaign, vendor: str = "", link_base: str = "") -> bytes:
    rows = sheet_rows(campaign, vendor, link_base)
    return to_xlsx(_with_shares(rows), rows, sheet=f"Trafficking {campaign.code}")


def sheet_filename(campaign: Campaign, vendor: str) -> str:
    stem = f"trafficking-{campaign.code}" + (f"-{match_key(vendor)}" if vendor else "")
    return stem.replace(" ", "-")


def email_sheet(
    actor: Any, campaign: Campaign, *, vendor: str, to: str, link_base: str, message: str = ""
) -> int:
    """E-mail a vendor its trafficking sheet; returns how many files were attached."""
    require(actor, Action.EDIT_CREATIVE, campaign.client_id)
    if not to.strip() or "@" not in to:
        raise ValidationError({"to": "Give the vendor's e-mail address."})
    rows = sheet_rows(campaign, vendor, link_base)
    if not rows:
        raise ValidationError({"vendor": f"Nothing is trafficked to {vendor or 'any vendor'}."})
    mail = EmailMessage(
        subject=f"Trafficking instructions: {campaign.name} ({campaign.code})",
        body=(message.strip() + "\n\n" if message.strip() else "")
        + f"The attached sheet lists the creative for your placements on {campaign.name}. "
        f"Download links work for {FILE_LINK_DAYS} days.\n",
        to=[to.strip()],
    )
    mail.attach(
        f"{sheet_filename(campaign, vendor)}.xlsx",
        to_xlsx(_with_shares(rows), rows, sheet="Trafficking"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    attached = 0
    total = 0
    versions = {row.assignment.version.pk: row.assignment.version for row in rows}
    for version in versions.values():
        if not version.file or total + version.bytes > MAX_ATTACHED_BYTES:
            continue
        with version.file.open("rb") as handle:
            mail.attach(version.original_name, handle.read(), version.content_type or None)
        total += version.bytes
        attached += 1
    mail.send()
    record(
        actor=actor,
        obj=campaign,
        action=AuditAction.SENT,
        changes={
            "trafficking sheet": [None, f"{vendor or 'all vendors'} to {to.strip()}"],
            "files attached": [None, attached],
        },
    )
    return attached
