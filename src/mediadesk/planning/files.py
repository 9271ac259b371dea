"""Plan files at the edges: one response builder for every export door, one upload reader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.text import slugify

from mediadesk.domain.calendars import CalendarKind
from mediadesk.planning.models import Placement, PlanVersion

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}


def plan_file_name(version: PlanVersion, extension: str) -> str:
    campaign = version.campaign
    return f"{slugify(campaign.code)}-plan-v{version.number}.{extension}"


def plan_file(
    version: PlanVersion,
    placements: Sequence[Placement],
    fmt: str,
    calendar: CalendarKind = CalendarKind.CALENDAR,
) -> bytes:
    """The version as a file in ``fmt`` (xlsx, csv, json or pdf)."""
    from mediadesk.planning import exchange
    from mediadesk.planning.openplan_io import export_open_plan

    if fmt == "xlsx":
        return exchange.export_xlsx(version, placements, calendar)
    if fmt == "csv":
        return ("\ufeff" + exchange.export_csv(version, placements)).encode()
    if fmt == "json":
        import json

        document = export_open_plan(version, placements)
        return json.dumps(document, indent=2, ensure_ascii=False, default=str).encode()
    if fmt == "pdf":
        return exchange.export_pdf(version, placements)
    raise ValidationError({"format": [f"Choose xlsx, csv, json or pdf, not {fmt!r}."]})


def plan_file_response(
    version: PlanVersion,
    placements: Sequence[Placement],
    fmt: str,
    calendar: CalendarKind = CalendarKind.CALENDAR,
) -> HttpResponse:
    response = HttpResponse(
        plan_file(version, placements, fmt, calendar), content_type=CONTENT_TYPES[fmt]
    )
    response["Content-Disposition"] = f'attachment; filename="{plan_file_name(version, fmt)}"'
    return response


def read_upload(upload: Any) -> bytes:
    """The uploaded file's bytes, refusing a file over the size limit while reading it."""
    from mediadesk.ingest.safety import MAX_UPLOAD_BYTES

    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": [f"{upload.name} is {size / 1_048_576:.0f} MB; the limit is "
                      f"{MAX_UPLOAD_BYTES / 1_048_576:.0f} MB."]}
        )  # fmt: skip
    chunks, total = [], 0
    for chunk in upload.chunks():
        total += len(chunk)
        if total > MAX_UPLOAD_BYTES:
            raise ValidationError({"file": [f"{upload.name} is over the size limit."]})
        chunks.append(chunk)
    return b"".join(chunks)
