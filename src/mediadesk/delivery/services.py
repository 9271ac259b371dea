"""Every change to delivery, in one place: the page, the API and the CLI all call these.

An import is one transaction: the file is read and checked completely before anything is
written, then its facts are loaded in bulk, the slices it replaces are hidden, the roll-up is
rebuilt for its days, and the record and its audit event are written. Any failure leaves the
database as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mediadesk.accounts.models import Client, FxRate
from mediadesk.accounts.permissions import Action, require
from mediadesk.audit.choices import AuditAction
from mediadesk.audit.services import diff, record, snapshot
from mediadesk.delivery import facts as fact_frames
from mediadesk.delivery import store
from mediadesk.delivery.models import (
    DeliveryFact,
    DeliveryImport,
    DeliveryMapping,
    MatchingRule,
    PacingSettings,
)
from mediadesk.domain.budget import MissingRate, rates_to_enter
from mediadesk.domain.money import CURRENCY_MINOR_UNITS
from mediadesk.domain.placement_matching import (
    Match,
    Rule,
    RuleKind,
    Source,
    check_pattern,
    match_sources,
)
from mediadesk.ingest.delivery.chunks import load_chunks
from mediadesk.ingest.delivery.detect import Reader, fold
from mediadesk.ingest.delivery.generic import FIXED_CURRENCY, GenericReader
from mediadesk.ingest.delivery.inspect import InspectError, Loaded, UnknownLayout
from mediadesk.ingest.delivery.schema import FIELDS, plain, totals_of
from mediadesk.ingest.delivery.truncation import cut_off_line
from mediadesk.ingest.safety import UnsafeFile, detect_kind, display_name
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import Campaign, Placement, PlanVersion

IMPORT_FIELDS = ["filename", "platform", "report", "rows", "mapped_rows", "unmapped_rows",
                 "date_from", "date_to", "currency", "totals"]  # fmt: skip
RULE_FIELDS = ["kind", "value", "line_key", "platform", "account", "source_campaign",
               "source_ad_group"]  # fmt: skip
TOTALS = ("impressions", "clicks", "spend", "conversions")
# read_columns words a cell it could not read as "row 12, Cost: …" (and a count of the rest).
_CELL_PROBLEM = re.compile(r"^(?:row \d+, |… and [\d,]+ more cells not read)")
MAX_LISTED = 10


class DeliveryFileError(ValueError):
    """A file that cannot be imported; the message says what to fix (file, row, column)."""


@dataclass(frozen=True, slots=True)
class Imported:
    record: DeliveryImport
    duplicate: bool = False  # the same file was already imported: nothing changed


_APPROVED = (PlanStatus.CLIENT_APPROVED, PlanStatus.APPROVED)


def plans_for_delivery(campaign_ids: list[int]) -> dict[int, PlanVersion]:
    """The plan each campaign's delivery is paced against: its newest approved version
    (client-approved or internally approved), else its newest version that was not rejected.
    One query for any number of campaigns; campaigns without a plan are left out."""
    chosen: dict[int, PlanVersion] = {}
    versions = PlanVersion.objects.filter(campaign_id__in=campaign_ids).exclude(
        status=PlanStatus.REJECTED
    )
    for version in versions.order_by("campaign_id", "-number"):
        current = chosen.get(version.campaign_id)
        if current is None or (version.status in _APPROVED and current.status not in _APPROVED):
            chosen[version.campaign_id] = version
    return chosen


def plan_for_delivery(campaign: Campaign) -> PlanVersion | None:
    return plans_for_delivery([campaign.pk]).get(campaign.pk)


def placements_for_delivery(campaign: Campaign) -> list[Placement]:
    version = plan_for_delivery(campaign)
    return list(version.placements.all()) if version else []


def _rules(campaign: Campaign) -> list[Rule]:
    return [
        Rule(
            id=rule.pk,
            kind=RuleKind(rule.kind),
            line_key=rule.line_key,
            value=rule.value,
            platform=rule.platform,
            account=rule.account,
            campaign=rule.source_campaign,
            ad_group=rule.source_ad_group,
        )
        for rule in MatchingRule.objects.filter(campaign=campaign)
    ]


def _codes(placements: list[Placement]) -> dict[str, str]:
    return {placement.code: placement.line_key for placement in placements}


def _month_rates(campaign: Campaign, needed: list[tuple[str, int, int]]) -> dict[Any, Decimal]:
    """The plan's FX rate for each (currency, year, month) needed, or DeliveryFileError."""
    if not needed:
        return {}
    found: dict[Any, Decimal] = {}
    for fx in FxRate.objects.filter(
        client_id=campaign.client_id,
        currency_to=campaign.currency,
        currency_from__in={code for code, _, _ in needed},
    ):
        found[(fx.currency_from, fx.month.year, fx.month.month)] = fx.rate
    missing = [
        MissingRate(code, campaign.currency, year, month)
        for code, year, month in needed
        if (code, year, month) not in found
    ]
    if missing:
        raise DeliveryFileError(
            f"The file reports amounts in another currency than the campaign's "
            f"({campaign.currency}) and no exchange rate is set for them. "
            f"{rates_to_enter(missing)} Then import the file again."
        )
    return {key: found[key] for key in needed}


def _saved_mapping(client_id: int, headers: tuple[str, ...]) -> DeliveryMapping | None:
    """The client's saved mapping whose every column the file has (the newest first)."""
    present = {fold(header) for header in headers}
    for saved in DeliveryMapping.objects.filter(client_id=client_id).order_by("-updated_at"):
        columns = [h for f, h in saved.mapping.items() if f != FIXED_CURRENCY]
        if all(fold(str(header)) in present for header in columns):
            return saved
    return None


def _pieces(
    data: bytes, filename: str, client_id: int, mapping: dict[str, str] | None
) -> Iterator[Loaded]:
    """The export's rows a piece at a time (see ingest.delivery.chunks), read by its
    platform's reader, by ``mapping``, or by the client's saved mapping for its layout."""
    name = display_name(filename)
    reader: Reader | None = GenericReader(check_mapping(mapping)) if mapping else None
    try:
        pieces = load_chunks(data, filename, reader)
        try:
            first = next(pieces)
        except UnknownLayout as unknown:
            saved = _saved_mapping(client_id, unknown.headers)
            if saved is None:
                raise DeliveryFileError(
                    f"{unknown} Map its columns once (date, names, metrics) and save the "
                    "mapping: files of the same layout are then read by it."
                ) from unknown
            pieces = load_chunks(data, filename, GenericReader(saved.mapping))
            first = next(pieces)
        yield first
        del first
        yield from pieces
    except (InspectError, UnsafeFile) as exc:
        raise DeliveryFileError(str(exc)) from exc
    except ValueError as exc:  # a mapping that names columns the file lacks, and the like
        if isinstance(exc, DeliveryFileError):
            raise
        raise DeliveryFileError(f"{name}: {exc}") from exc


def _check_piece(loaded: Loaded, name: str) -> None:
    """Refuse the file for cells that could not be read, or rows without a day."""
    problems = [warning for warning in loaded.warnings if _CELL_PROBLEM.match(warning)]
    if problems:
        listed = "; ".join(problems[:MAX_LISTED])
        raise DeliveryFileError(
            f"{name} has cells that are not the numbers or dates their column needs, so "
            f"nothing was imported. Fix them and import again: {listed}."
        )
    frame = loaded.frame
    if frame.height and frame["date"].null_count() == frame.height:
        raise DeliveryFileError(
            f"{name} has no day column, so its delivery cannot be placed on the calendar. "
            "Export the report broken down by day (a Day or Date column) and import that."
        )
    if undated := frame["date"].null_count():
        raise DeliveryFileError(
            f"{name} has {undated:,} rows without a date; every row needs its day."
        )


@dataclass
class _Read:
    """An export read piece by piece: everything the import needs, without its rows."""

    platform: str = ""
    report: str = ""
    rows: int = 0
    mapped: int = 0
    unmapped: int = 0
    warnings: list[str] = field(default_factory=list)
    checked: list[fact_frames.Checked] = field(default_factory=list)
    duplicates: int = 0
    totals: dict[str, Any] = field(default_factory=dict)
    spans: dict[fact_frames.Slice, tuple[date, date]] = field(default_factory=dict)
    rate_keys: list[tuple[str, int, int]] = field(default_factory=list)
    facts: list[pl.DataFrame] = field(default_factory=list)

    @property
    def first_day(self) -> date:
        return min(first for first, _ in self.spans.values())

    @property
    def last_day(self) -> date:
        return max(last for _, last in self.spans.values())


def _read_export(
    data: bytes,
    filename: str,
    campaign: Campaign,
    placements: list[Placement],
    mapping: dict[str, str] | None,
    today: date,
) -> _Read:
    name = display_name(filename)
    try:
        kind = detect_kind(data, filename)
    except UnsafeFile as exc:
        raise DeliveryFileError(str(exc)) from exc
    if kind == "csv" and (cut := cut_off_line(data)):
        raise DeliveryFileError(
            f"{name} ends in the middle of a line (its last line has {cut[0]} of {cut[1]} "
            "cells): the file looks cut off. Download the export again and import that."
        )
    read = _Read()
    rules, codes = _rules(campaign), _codes(placements)
    matches: dict[Source, Match | None] = {}
    rates: dict[Any, Decimal] = {}
    seen = fact_frames.no_hashes()
    for loaded in _pieces(data, filename, campaign.client_id, mapping):
        _check_piece(loaded, name)
        read.platform, read.report = loaded.reader.platform, loaded.report
        read.warnings += [w for w in loaded.warnings if w not in read.warnings]
        # Exact repeats count once. Inside a piece rows are compared whole; across pieces by a
        # 128-bit hash per row (two 64-bit hashes), so memory keeps 16 bytes a row, not rows.
        frame = fact_frames.without_duplicates(loaded.frame)
        frame, seen = fact_frames.not_seen(frame, seen)
        read.duplicates += loaded.frame.height - frame.height
        read.checked.append(fact_frames.check(loaded.frame, loaded.frame.height, today))
        del loaded
        new_keys = [
            key for key in fact_frames.month_rates_needed(frame, campaign.currency)
            if key not in rates
        ]  # fmt: skip
        if new_keys:
            rates.update(_month_rates(campaign, new_keys))
            read.rate_keys += new_keys
        new_sources = [source for source in fact_frames.sources(frame) if source not in matches]
        matches.update(match_sources(new_sources, rules, codes))
        mapped, unmapped = fact_frames.matched_counts(frame, matches)
        read.rows, read.mapped, read.unmapped = (
            read.rows + frame.height, read.mapped + mapped, read.unmapped + unmapped
        )  # fmt: skip
        for total, value in totals_of(frame, TOTALS).items():
            if value is not None:
                read.totals[total] = read.totals.get(total, 0) + value
            else:
                read.totals.setdefault(total, None)
        for key, first, last in fact_frames.slices(frame):
            known = read.spans.get(key)
            read.spans[key] = (
                (min(first, known[0]), max(last, known[1])) if known else (first, last)
            )
        read.facts.append(
            fact_frames.facts_of(frame, matches, currency=campaign.currency, rates=rates,
                                 import_id=0, campaign_id=campaign.pk)
        )  # fmt: skip
    return read


def _warnings(
    checked: fact_frames.Checked, campaign: Campaign, converted: list[Any], given: list[str]
) -> list[str]:
    warnings = [warning for warning in given if not warning.startswith("The file has no ")]
    if checked.duplicate_rows:
        warnings.append(
            f"{checked.duplicate_rows:,} rows repeat an earlier row exactly and were counted once."
        )
    if checked.future_rows:
        warnings.append(
            f"{checked.future_rows:,} rows are dated in the future (from "
            f"{checked.first_future_day}); check the export's date range."
        )
    if checked.refund_rows:
        warnings.append(
            f"{checked.refund_rows:,} refund lines (negative spend, {checked.refund_spend:f} "
            "in all) were kept and reduce the delivered spend."
        )
    if converted:
        codes = sorted({code for code, _, _ in converted})
        warnings.append(
            f"Amounts in {', '.join(codes)} were converted to {campaign.currency} at the "
            "client's monthly FX rates."
        )
    if not checked.currencies:
        warnings.append(
            f"The file names no currency; its amounts were taken to be {campaign.currency}."
        )
    return warnings


def import_delivery(
    actor: Any,
    campaign: Campaign,
    *,
    filename: str,
    data: bytes,
    today: date | None = None,
    mapping: dict[str, str] | None = None,
) -> Imported:
    """Import one export into the campaign (see the module docstring).

    ``mapping`` (field -> the file's header) reads a file of no known layout; without it,
    such a file is read by the client's saved mapping whose columns it has.
    """
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    sha256 = hashlib.sha256(data).hexdigest()
    already = DeliveryImport.objects.filter(campaign=campaign, sha256=sha256).first()
    if already is not None:
        return Imported(already, duplicate=True)
    placements = placements_for_delivery(campaign)
    if not placements:
        raise DeliveryFileError(
            f"{campaign.code} has no plan with placements yet; delivery is matched to "
            "placements, so add the plan first."
        )
    read = _read_export(
        data, filename, campaign, placements, mapping, today or timezone.localdate()
    )
    checked = fact_frames.combined(read.checked, read.duplicates)
    currencies = checked.currencies
    with transaction.atomic():
        # One import per campaign at a time (PostgreSQL row lock; SQLite writes one at a time
        # anyway), and the same file checked again under the lock: two uploads of one file
        # at the same moment must not both count.
        list(Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk"))
        already = DeliveryImport.objects.filter(campaign=campaign, sha256=sha256).first()
        if already is not None:
            return Imported(already, duplicate=True)
        upload = DeliveryImport(
            campaign=campaign,
            filename=display_name(filename)[:255],
            sha256=sha256,
            platform=read.platform,
            report=read.report[:40],
            imported_by=actor,
            rows=read.rows,
            mapped_rows=read.mapped,
            unmapped_rows=read.unmapped,
            date_from=read.first_day,
            date_to=read.last_day,
            currency=currencies[0] if len(currencies) == 1 else "",
            totals={
                name: plain(v) if isinstance(v, Decimal) else v for name, v in read.totals.items()
            },
            warnings=_warnings(checked, campaign, read.rate_keys, read.warnings),
        )
        upload.file.save(filename, ContentFile(data), save=False)
        upload.save()
        replaced: dict[int, int] = {}
        for (platform, account, source), (first, last) in read.spans.items():
            for import_id, count in store.hide_slice(
                campaign.pk, platform, account, first, last, upload.pk, source
            ).items():
                replaced[import_id] = replaced.get(import_id, 0) + count
        facts = fact_frames.merged(read.facts).with_columns(
            pl.lit(upload.pk, dtype=pl.Int64).alias("delivery_import_id")
        )
        upload.facts = store.load_facts(facts)
        upload.replaced = _replaced(replaced)
        upload.save(update_fields=["facts", "replaced"])
        # The replaced facts lie inside the new file's own days, so its range covers them.
        store.refresh_rollup(campaign.pk, read.first_day, read.last_day)
        record(
            actor=actor,
            obj=upload,
            action=AuditAction.IMPORTED,
            changes=diff({}, snapshot(upload, IMPORT_FIELDS)),
            reason=_replaced_reason(upload.replaced),
            client_id=campaign.client_id,
        )
    return Imported(upload)


def _replaced(replaced: dict[int, int]) -> list[dict[str, Any]]:
    names = dict(DeliveryImport.objects.filter(pk__in=replaced).values_list("pk", "filename"))
    return [
        {"import": import_id, "filename": names.get(import_id, ""), "facts": count}
        for import_id, count in sorted(replaced.items())
    ]


def _replaced_reason(replaced: list[dict[str, Any]]) -> str:
    if not replaced:
        return ""
    names = ", ".join(f"{item['filename']} (#{item['import']})" for item in replaced)
    return f"Replaced the same days of the same accounts from {names}."


def rollback_import(actor: Any, upload: DeliveryImport, reason: str = "") -> None:
    """Undo an import: its facts, its file and its record go; what it replaced comes back.
    Only the audit event remains."""
    campaign = upload.campaign
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    with transaction.atomic():
        touched = store.remove_import(campaign.pk, upload.pk)
        if touched is not None:
            store.refresh_rollup(campaign.pk, *touched)
        record(
            actor=actor,
            obj=upload,
            action=AuditAction.ROLLED_BACK,
            changes=diff(snapshot(upload, IMPORT_FIELDS), {}),
            reason=reason or f"Rolled back the import of {upload.filename}.",
            client_id=campaign.client_id,
        )
        stored = upload.file.name
        upload.delete()
        if stored:
            transaction.on_commit(lambda: upload.file.storage.delete(stored))


# --- Matching rules and the unmatched queue ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    """Rows of one source that no rule or code placed, with what they delivered."""

    platform: str
    account: str
    source_campaign: str
    source_ad_group: str
    placement_key: str
    rows: int
    first_day: date
    last_day: date
    impressions: int
    clicks: int
    spend: Decimal  # in the campaign's currency

    @property
    def key(self) -> str:
        """A stable reference for the page's assign form."""
        text = "\x1f".join(
            (self.platform, self.account, self.source_campaign, self.source_ad_group,
             self.placement_key)
        )  # fmt: skip
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def unmatched(campaign: Campaign) -> list[Waiting]:
    """The campaign's unmatched queue, the largest spend first."""
    from django.db.models import Count, Max, Min, Sum

    from mediadesk.delivery.models import from_micros

    groups = (
        DeliveryFact.objects.filter(campaign=campaign, line_key="", replaced_by__isnull=True)
        .values("platform", "account", "source_campaign", "source_ad_group", "placement_key")
        .annotate(
            rows=Count("id"),
            first=Min("day"),
            last=Max("day"),
            impressions_sum=Sum("impressions"),
            clicks_sum=Sum("clicks"),
            spend_sum=Sum("spend_converted"),
        )
        .order_by("-spend_sum", "source_campaign", "source_ad_group")
    )
    return [
        Waiting(
            platform=group["platform"],
            account=group["account"],
            source_campaign=group["source_campaign"],
            source_ad_group=group["source_ad_group"],
            placement_key=group["placement_key"],
            rows=group["rows"],
            first_day=group["first"],
            last_day=group["last"],
            impressions=group["impressions_sum"] or 0,
            clicks=group["clicks_sum"] or 0,
            spend=from_micros(group["spend_sum"]),
        )
        for group in groups
    ]


def _line_keys(campaign: Campaign) -> dict[str, Placement]:
    return {placement.line_key: placement for placement in placements_for_delivery(campaign)}


def _check_line(campaign: Campaign, line_key: str) -> Placement:
    placement = _line_keys(campaign).get(line_key)
    if placement is None:
        raise ValidationError({"placement": "Choose a placement of this campaign's plan."})
    return placement


def _rematch(campaign: Campaign) -> int:
    """Run the rules and codes again over the campaign's unmatched facts; rows placed."""
    placements = placements_for_delivery(campaign)
    waiting = unmatched(campaign)
    sources = [
        Source(w.platform, w.account, w.source_campaign, w.source_ad_group, w.placement_key)
        for w in waiting
    ]
    matches: dict[Source, Match | None] = match_sources(
        sources, _rules(campaign), _codes(placements)
    )
    placed = 0
    first: date | None = None
    last: date | None = None
    for item, source in zip(waiting, sources, strict=True):
        found = matches.get(source)
        if found is None:
            continue
        days = store.reassign(
            campaign.pk,
            found.line_key,
            "platform = %s AND account = %s AND source_campaign = %s "
            "AND source_ad_group = %s AND placement_key = %s",
            [source.platform, source.account, source.campaign, source.ad_group,
             source.placement_key],
        )  # fmt: skip
        if days:
            placed += item.rows
            first = min(days[0], first) if first else days[0]
            last = max(days[1], last) if last else days[1]
    if first is not None and last is not None:
        store.refresh_rollup(campaign.pk, first, last)
    return placed


def add_rule(
    actor: Any,
    campaign: Campaign,
    *,
    kind: str,
    line_key: str,
    value: str = "",
    platform: str = "",
    account: str = "",
    source_campaign: str = "",
    source_ad_group: str = "",
) -> MatchingRule:
    """Save a matching rule for the campaign and place the waiting rows it matches."""
    require(actor, Action.EDIT_CAMPAIGN, campaign.client_id)
    _check_line(campaign, line_key)
    try:
        rule_kind = RuleKind(kind)
    except ValueError:
        raise ValidationError({"kind": f"{kind!r} is not a kind of rule."}) from None
    value = value.strip()
    if rule_kind is RuleKind.PATTERN:
        try:
            value = check_pattern(value)
        except ValueError as exc:
            raise ValidationError({"value": str(exc)}) from None
    elif rule_kind is not RuleKind.MANUAL and not value:
        raise ValidationError({"value": "Give the ID or text that the rows must have."})
    if rule_kind is RuleKind.MANUAL and not (source_campaign or source_ad_group):
        raise ValidationError({"source_campaign": "Give the campaign or ad group name."})
    with transaction.atomic():
        rule = MatchingRule.objects.create(
            client_id=campaign.client_id,
            campaign=campaign,
            line_key=line_key,
            kind=rule_kind.value,
            value=value[:300],
            platform=platform,
            account=account[:200],
            source_campaign=source_campaign[:300],
            source_ad_group=source_ad_group[:300],
            created_by=actor,
        )
        record(
            actor=actor,
            obj=rule,
            action=AuditAction.CREATED,
            changes=diff({}, snapshot(rule, RULE_FIELDS)),
            client_id=campaign.client_id,
        )
        _rematch(campaign)
    return rule


def assign(actor: Any, campaign: Campaign, waiting: Waiting, line_key: str) -> MatchingRule:
    """Send a waiting source to a placement by hand; the assignment becomes a rule, so the
    next export of the same source lands there by itself."""
    return add_rule(
        actor,
        campaign,
        kind=RuleKind.MANUAL.value,
        line_key=line_key,
        platform=waiting.platform,
        account=waiting.account,
        source_campaign=waiting.source_campaign,
        source_ad_group=waiting.source_ad_group,
    )


def delete_rule(actor: Any, rule: MatchingRule) -> None:
    """Remove a rule. Rows it placed stay where they are (re-import to match them again)."""
    require(actor, Action.EDIT_CAMPAIGN, rule.client_id)
    with transaction.atomic():
        record(
            actor=actor,
            obj=rule,
            action=AuditAction.DELETED,
            changes=diff(snapshot(rule, RULE_FIELDS), {}),
            client_id=rule.client_id,
        )
        rule.delete()


# --- Saved column mappings ------------------------------------------------------------------

# What a mapping can name (the normalized fields), and what it must name to be useful.
MAPPABLE = tuple(field for field in FIELDS if field != "frequency")
_METRICS = ("impressions", "clicks", "spend", "conversions", "grps", "spots", "video_views")


def check_mapping(mapping: dict[str, str] | None) -> dict[str, str]:
    """The mapping with blank entries dropped, or ValidationError naming what to fix."""
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": 'Give the mapping as {"field": "column header"}.'})
    cleaned = {
        str(field): str(header).strip()
        for field, header in mapping.items()
        if header is not None and str(header).strip()
    }
    if FIXED_CURRENCY in cleaned:
        code = cleaned[FIXED_CURRENCY].upper()
        if code not in CURRENCY_MINOR_UNITS:
            raise ValidationError({"mapping": f"{code} is not a currency code (EUR, USD, …)."})
        cleaned[FIXED_CURRENCY] = code
    unknown = sorted(set(cleaned) - {*MAPPABLE, FIXED_CURRENCY})
    if unknown:
        raise ValidationError(
            {"mapping": f"{', '.join(unknown)}: not a field; use {', '.join(MAPPABLE)}."}
        )
    if "date" not in cleaned:
        raise ValidationError({"mapping": "Say which column holds the day (date)."})
    if not any(field in cleaned for field in _METRICS):
        raise ValidationError(
            {"mapping": "Map at least one metric column (spend, impressions, GRPs, spots …)."}
        )
    return cleaned


def save_delivery_mapping(
    actor: Any, client: Client, name: str, mapping: dict[str, str]
) -> DeliveryMapping:
    """Save (or replace) a named column mapping for the client's exports."""
    require(actor, Action.EDIT_CAMPAIGN, client.pk)
    cleaned = check_mapping(mapping)
    name = name.strip()[:100]
    if not name:
        raise ValidationError({"name": "Give the mapping a name, such as the vendor's."})
    with transaction.atomic():
        saved, created = DeliveryMapping.objects.update_or_create(
            client=client,
            name=name,
            defaults={"mapping": cleaned, "created_by": actor, "updated_at": timezone.now()},
        )
        record(
            actor=actor,
            obj=saved,
            action=AuditAction.CREATED if created else AuditAction.UPDATED,
            changes={"mapping": [None, cleaned]},
            client_id=client.pk,
        )
    return saved


def delete_delivery_mapping(actor: Any, saved: DeliveryMapping) -> None:
    """Forget a saved mapping; files of its layout then ask for their columns again."""
    require(actor, Action.EDIT_CAMPAIGN, saved.client_id)
    with transaction.atomic():
        record(
            actor=actor,
            obj=saved,
            action=AuditAction.DELETED,
            changes={"mapping": [saved.mapping, None]},
            reason=f"Deleted the column mapping {saved.name}.",
            client_id=saved.client_id,
        )
        saved.delete()


# --- Pacing thresholds ------------------------------------------------------------------------


def pacing_settings(client: Client) -> PacingSettings:
    return PacingSettings.objects.filter(client=client).first() or PacingSettings(client=client)


def pacing_settings_by_client(client_ids: list[int]) -> dict[int, PacingSettings]:
    """Each client's thresholds (the defaults where none are saved), in one query."""
    saved = {s.client_id: s for s in PacingSettings.objects.filter(client_id__in=client_ids)}
    return {cid: saved.get(cid) or PacingSettings(client_id=cid) for cid in client_ids}


def set_pacing_thresholds(
    actor: Any, client: Client, *, under_percent: Decimal, over_percent: Decimal
) -> PacingSettings:
    require(actor, Action.MANAGE_CLIENT, client.pk)
    errors = {}
    for name, value in (("under_percent", under_percent), ("over_percent", over_percent)):
        if not value.is_finite() or not Decimal(0) <= value < Decimal(100):
            errors[name] = "Give a percentage from 0 to 99.99."
    if errors:
        raise ValidationError(errors)
    settings_ = pacing_settings(client)
    before = snapshot(settings_, ["under_percent", "over_percent"]) if settings_.pk else {}
    settings_.under_percent = under_percent
    settings_.over_percent = over_percent
    with transaction.atomic():
        settings_.save()
        record(
            actor=actor,
            obj=settings_,
            action=AuditAction.UPDATED if before else AuditAction.CREATED,
            changes=diff(before, snapshot(settings_, ["under_percent", "over_percent"])),
            client_id=client.pk,
        )
    return settings_


def default_as_of(campaign: Campaign) -> date:
    """Pacing is judged at the end of the last day with delivery (exports lag a day or two;
    judging at today would call every placement under), else yesterday."""
    from django.db.models import Max

    from mediadesk.delivery.models import PlacementDay

    last = PlacementDay.objects.filter(campaign=campaign).aggregate(last=Max("day"))["last"]
    return last or timezone.localdate() - timedelta(days=1)
