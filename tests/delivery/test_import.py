"""Importing exports into a campaign: atomic, idempotent, slice replacement, roll-back,
matching and the unmatched queue, currencies, and bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from mediadesk.accounts.models import FxRate
from mediadesk.audit.models import AuditEvent
from mediadesk.delivery import services
from mediadesk.delivery.models import DeliveryFact, DeliveryImport, MatchingRule, PlacementDay
from mediadesk.delivery.services import DeliveryFileError, import_delivery
from mediadesk.ingest.delivery import chunks

from .exports import SEARCH, SOCIAL, daily, google_ads

TODAY = date(2026, 11, 29)


@pytest.fixture(autouse=True, params=["whole", "in pieces"])
def reading(request: Any, monkeypatch: Any) -> str:
    """Every import test runs twice: the file read whole, and cut in pieces of ~200 bytes
    (as a file above ingest.delivery.chunks.CHUNK_BYTES is), which must import the same."""
    if request.param == "in pieces":
        monkeypatch.setattr(chunks, "CHUNK_BYTES", 200)
    return str(request.param)


OCT = date(2026, 10, 5)


def _import(demo: Any, data: bytes, name: str = "report.csv") -> services.Imported:
    return import_delivery(
        demo.alice, demo.campaign("CTSO-5G26"), filename=name, data=data, today=TODAY
    )


def _spend(campaign: Any) -> Decimal:
    micros = PlacementDay.objects.filter(campaign=campaign).aggregate(s=Sum("spend"))["s"] or 0
    return Decimal(micros) / 1_000_000


def _line(campaign: Any, code: str) -> str:
    return next(p.line_key for p in services.placements_for_delivery(campaign) if p.code == code)


def test_import_matches_by_code_and_rolls_up(demo: Any) -> None:
    rows = daily(OCT, 7, f"{SEARCH} | generic") + daily(OCT, 7, f"Social {SOCIAL}", spend="50.5")
    result = _import(demo, google_ads(rows))
    upload = result.record
    campaign = demo.campaign("CTSO-5G26")
    assert not result.duplicate
    assert (upload.platform, upload.rows, upload.mapped_rows, upload.unmapped_rows) == (
        "google_ads",
        14,
        14,
        0,
    )
    assert (upload.date_from, upload.date_to) == (OCT, date(2026, 10, 11))
    assert upload.totals == {"impressions": 140000, "clicks": 3500, "spend": "1053.5",
                             "conversions": "14"}  # fmt: skip
    assert _spend(campaign) == Decimal("1053.5")
    search = PlacementDay.objects.filter(campaign=campaign, line_key=_line(campaign, SEARCH))
    assert search.count() == 7
    assert search.aggregate(s=Sum("clicks"))["s"] == 1750
    event = AuditEvent.objects.get(action="imported", object_id=str(upload.pk))
    assert event.changes["rows"] == [None, 14]


def test_same_file_twice_changes_nothing(demo: Any) -> None:
    data = google_ads(daily(OCT, 5, SEARCH))
    first = _import(demo, data)
    again = _import(demo, data, "copy of report.csv")
    assert again.duplicate and again.record.pk == first.record.pk
    assert DeliveryImport.objects.count() == 1
    assert DeliveryFact.objects.count() == 5
    assert _spend(demo.campaign("CTSO-5G26")) == Decimal("500.00")


def test_newer_export_replaces_the_overlapping_slice_and_rollback_restores_it(demo: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    older = _import(demo, google_ads(daily(OCT, 10, SEARCH))).record  # 10 days x 100
    assert _spend(campaign) == Decimal("1000.00")
    # A re-export of Oct 10..16 with restated spend: Oct 10..14 are replaced, 15..16 added.
    newer = _import(demo, google_ads(daily(date(2026, 10, 10), 7, SEARCH, spend="120.00")))
    assert newer.record.replaced == [{"import": older.pk, "filename": "report.csv", "facts": 5}]
    assert _spend(campaign) == Decimal("500.00") + 7 * Decimal("120.00")
    newer_id = newer.record.pk
    services.rollback_import(demo.alice, newer.record, "Wrong account")
    assert _spend(campaign) == Decimal("1000.00")
    assert not DeliveryImport.objects.filter(pk=newer_id).exists()
    assert not DeliveryFact.objects.filter(delivery_import_id=newer_id).exists()
    assert not DeliveryFact.objects.filter(replaced_by__isnull=False).exists()
    assert AuditEvent.objects.filter(action="rolled_back", object_id=str(newer_id)).exists()


def test_other_account_is_not_replaced(demo: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    _import(demo, google_ads(daily(OCT, 3, SEARCH), account="Contoso US"))
    _import(demo, google_ads(daily(OCT, 3, SEARCH), account="Contoso East"))
    assert _spend(campaign) == Decimal("600.00")


def test_unmatched_rows_wait_and_assignment_becomes_a_rule(demo: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    rows = daily(OCT, 4, SEARCH) + daily(OCT, 4, "Brand terms (new)", spend="25.00")
    upload = _import(demo, google_ads(rows)).record
    assert (upload.mapped_rows, upload.unmapped_rows) == (4, 4)
    [waiting] = services.unmatched(campaign)
    assert (waiting.source_campaign, waiting.rows, waiting.spend) == (
        "Brand terms (new)",
        4,
        Decimal("100"),
    )
    assert _spend(campaign) == Decimal("400.00")  # unmatched spend is not in the roll-up
    rule = services.assign(demo.alice, campaign, waiting, _line(campaign, SEARCH))
    assert rule.kind == "manual"
    assert services.unmatched(campaign) == []
    assert _spend(campaign) == Decimal("500.00")
    # The next export of the same source lands on the placement by itself.
    later = _import(demo, google_ads(daily(date(2026, 10, 20), 2, "Brand terms (new)"))).record
    assert (later.mapped_rows, later.unmapped_rows) == (2, 0)


def test_platform_id_and_pattern_rules(demo: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    _import(demo, google_ads(daily(OCT, 2, "FB_US_Prospecting_Video")))
    assert services.unmatched(campaign)
    services.add_rule(demo.alice, campaign, kind="pattern", value="fb_us_*",
                      line_key=_line(campaign, SOCIAL))  # fmt: skip
    assert services.unmatched(campaign) == []
    with pytest.raises(Exception, match="every name"):
        services.add_rule(demo.alice, campaign, kind="pattern", value="**",
                          line_key=_line(campaign, SOCIAL))  # fmt: skip


def test_viewer_cannot_import(demo: Any) -> None:
    from mediadesk.accounts.models import Membership, User

    viewer = User.objects.create_user(
        "vera@example.com", "pw", organization=demo.alice.organization
    )
    Membership.objects.create(user=viewer, client=demo.contoso, role="viewer")
    with pytest.raises(PermissionDenied):
        import_delivery(viewer, demo.campaign("CTSO-5G26"), filename="r.csv", data=b"x")


def test_foreign_currency_is_converted_at_the_plan_rate(demo: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    with pytest.raises(DeliveryFileError, match="CAD→USD") as refused:
        _import(demo, google_ads(daily(OCT, 2, SEARCH), currency="CAD"))
    assert "Oct 2026" in str(refused.value)
    assert DeliveryImport.objects.count() == 0 and DeliveryFact.objects.count() == 0
    FxRate.objects.create(client=demo.contoso, currency_from="CAD", currency_to="USD",
                          month=date(2026, 10, 1), rate=Decimal("0.7312"))  # fmt: skip
    upload = _import(demo, google_ads(daily(OCT, 2, SEARCH), currency="CAD")).record
    assert _spend(campaign) == Decimal("146.24")
    assert upload.currency == "CAD"
    assert any("converted to USD" in warning for warning in upload.warnings)


def test_refunds_future_days_and_duplicates_are_flagged(demo: Any) -> None:
    rows = daily(OCT, 2, SEARCH)
    rows += [(date(2026, 10, 7), SEARCH, "Main", 0, 0, "-40.00")]
    rows += [rows[0]]  # an exact repeat
    rows += [(date(2026, 12, 24), SEARCH, "Main", 5, 1, "1.00")]
    upload = _import(demo, google_ads(rows)).record
    text = " ".join(upload.warnings)
    assert "1 refund lines (negative spend, -40" in text
    assert "1 rows are dated in the future (from 2026-12-24)" in text
    assert "1 rows repeat an earlier row exactly" in text
    assert upload.rows == 4
    assert _spend(demo.campaign("CTSO-5G26")) == Decimal("161.00")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"Day,Campaign,Impr.,Clicks,Cost\r\n", "no data rows"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "report.csv"),
        (
            b"Day,Campaign,Currency code,Impr.,Clicks,Cost\r\n2026-10-05,X,USD,100,5,abc\r\n",
            "row 2, Cost",
        ),
        (b"Campaign,Impr.,Clicks,Cost\r\nX,100,5,1.00\r\n", "no day column"),
    ],
    ids=["empty", "header-only", "binary", "letters-in-numbers", "no-days"],
)
def test_bad_files_are_refused_whole(demo: Any, data: bytes, message: str) -> None:
    with pytest.raises(DeliveryFileError, match=message):
        _import(demo, data)
    assert DeliveryImport.objects.count() == 0
    assert DeliveryFact.objects.count() == 0
    assert MatchingRule.objects.count() == 0


def test_truncated_last_line_is_refused(demo: Any) -> None:
    data = google_ads(daily(OCT, 3, SEARCH))
    cut = data[: data.rindex(b"\r\n,Total")]  # drop the totals
    cut = cut[: cut.rindex(b",") - 3]  # and half of the last row
    with pytest.raises(DeliveryFileError):
        _import(demo, cut)
    assert DeliveryFact.objects.count() == 0


def test_a_windows_1252_export_keeps_its_accents(demo: Any) -> None:
    """Not UTF-8 (é and ü as single Windows-1252 bytes): read as Windows-1252, not refused."""
    rows = daily(OCT, 2, f"{SEARCH} Münchner Café", ad_group="Général")
    data = google_ads(rows).decode().encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    upload = _import(demo, data).record
    assert (upload.rows, upload.mapped_rows) == (2, 2)
    names = set(DeliveryFact.objects.values_list("source_campaign", flat=True))
    assert names == {f"{SEARCH} Münchner Café"}


def test_files_without_an_account_replace_only_their_own_campaigns(demo: Any) -> None:
    """Two vendors' reports of the same days (no account column) both count; a vendor's
    corrected report replaces only its own rows."""
    campaign = demo.campaign("CTSO-5G26")

    def vendor(name: str, cost: str) -> bytes:
        lines = ["Date,Campaign,Impressions,Cost,Currency"]
        lines += [f"2026-10-{d:02d},{SEARCH} {name},1000,{cost},USD" for d in (5, 6)]
        return ("\r\n".join(lines) + "\r\n").encode()

    _import(demo, vendor("Vendor A", "100.00"), "a.csv")
    _import(demo, vendor("Vendor B", "50.00"), "b.csv")
    assert _spend(campaign) == Decimal("300.00")
    corrected = _import(demo, vendor("Vendor A", "90.00"), "a2.csv").record
    assert [item["facts"] for item in corrected.replaced] == [2]
    assert _spend(campaign) == Decimal("280.00")
