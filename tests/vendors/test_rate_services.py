"""Rate cards, negotiated rates and documents: models and services (one event per change)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mediadesk.audit.models import AuditEvent
from mediadesk.errors import Conflict
from mediadesk.planning.models import Placement, PlanVersion
from mediadesk.vendors import documents, services
from mediadesk.vendors.choices import DocumentExpiry
from mediadesk.vendors.models import (
    NegotiatedRate,
    RateCard,
    RateCardLine,
    Vendor,
    VendorDocument,
    vendor_named,
    vendors_named,
)
from mediadesk.vendors.rates import rate_checks

D = Decimal
PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def vendor(demo: Any, name: str) -> Vendor:
    return Vendor.objects.get(organization=demo.alice.organization, name=name)


def card_values(**overrides: Any) -> dict[str, Any]:
    values = {"name": "Price list 2027", "currency": "EUR", "valid_from": date(2027, 1, 1)}
    values.update(overrides)
    return values


def line(**overrides: Any) -> dict[str, Any]:
    values = {"format": "300x250", "market": "DE", "cost_model": "cpm", "rate": D("11.00")}
    values.update(overrides)
    return values


def negotiated(**overrides: Any) -> dict[str, Any]:
    values = {
        "format": "video", "market": "US", "cost_model": "cpm", "rate": D("9.00"),
        "currency": "USD", "valid_from": date(2027, 7, 1),
    }  # fmt: skip
    values.update(overrides)
    return values


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_has_rate_cards_a_negotiated_rate_and_documents(demo: Any) -> None:
    org = demo.alice.organization
    cards = RateCard.objects.filter(vendor__organization=org)
    assert cards.count() >= 8 and RateCardLine.objects.filter(rate_card__in=cards).count() >= 12
    deal = NegotiatedRate.objects.get(vendor__organization=org)
    assert deal.client == demo.contoso and deal.vendor.name == "Meta"
    today = timezone.localdate()
    expiries = {d.filename: d.expiry(today) for d in VendorDocument.objects.all()}
    assert expiries["spiegel-media-framework-agreement.pdf"] == DocumentExpiry.EXPIRING
    assert expiries["p7s1-liability-insurance.pdf"] == DocumentExpiry.EXPIRED
    assert expiries["meta-w8ben-e.pdf"] == DocumentExpiry.NO_EXPIRY
    spiegel = VendorDocument.objects.get(filename="spiegel-media-framework-agreement.pdf")
    assert spiegel.expires_on is not None
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert (spiegel.expires_on.year, spiegel.expires_on.month) == (
        next_month.year,
        next_month.month,
    )
    with spiegel.file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF-1.4")


def test_demo_plan_lines_show_differences(demo: Any) -> None:
    version = PlanVersion.objects.get(campaign__code="CTSO-5G26", number=1)
    version.placements.filter(vendor="Awin").update(vendor="Unlisted Affiliates")
    placements = list(version.placements.all())
    checks = rate_checks(demo.ben, placements, demo.alice.organization_id, demo.contoso.pk)
    sentences = {p.vendor: checks[p.pk].difference for p in placements}
    meta = sentences["Meta"]
    assert meta is not None and meta.reference.negotiated
    assert meta.sentence == (
        "Rate 11.00 USD CPM is 1.00 USD (10.0%) above the negotiated rate (10.00 USD)."
    )
    nbc = sentences["NBCUniversal"]
    assert nbc is not None and nbc.reference.daypart == "Prime"  # "NBC prime" names it
    assert sentences["Google Ads"] is None  # a vendor without a rate card
    assert (
        checks[next(p.pk for p in placements if p.vendor == "Unlisted Affiliates")].vendor is None
    )


# --- vendor_named ----------------------------------------------------------------------------


def test_vendor_named_ignores_case_and_spaces(demo: Any, other_agency: Any) -> None:
    org = demo.alice.organization_id
    assert vendor_named(org, "  spiegel   MEDIA ") == vendor(demo, "Spiegel Media")
    assert vendor_named(org, "SpiegelMedia") == vendor(demo, "Spiegel Media")
    assert vendor_named(org, "Ströer") == vendor(demo, "Ströer")
    assert vendor_named(org, "Nobody") is None and vendor_named(org, "") is None
    # Another organization's vendor of the same name is never the answer.
    assert vendor_named(other_agency.organization.pk, "meta") == other_agency.vendor
    assert vendor_named(org, "meta") == vendor(demo, "Meta")


def test_vendors_named_is_one_query(demo: Any) -> None:
    names = ["Meta", "spotify", "YOUTUBE", "RMS ", "Unknown", "Ströer"]
    with CaptureQueriesContext(connection) as captured:
        found = vendors_named(demo.alice.organization_id, names)
    assert len(captured) == 1
    assert {v.name for v in found.values()} == {"Meta", "Spotify", "YouTube", "RMS", "Ströer"}


# --- rate cards ------------------------------------------------------------------------------


def test_create_rate_card_with_lines_is_one_event(demo: Any) -> None:
    joyn = vendor(demo, "Joyn")
    card = services.create_rate_card(
        demo.ben, joyn, card_values(notes="From the sales deck"),
        lines=[line(format=" 20s  spot ", cost_model="cpm", rate=D("27")),
               line(format="20s spot", daypart="Prime time", rate=D("31.5"))],
    )  # fmt: skip
    assert card.vendor == joyn and card.created_by == demo.ben and card.currency == "EUR"
    assert [(x.format, x.daypart, x.rate) for x in card.lines.order_by("rate")] == [
        ("20s spot", "", D("27.0000")), ("20s spot", "Prime time", D("31.5000")),
    ]  # fmt: skip
    event = AuditEvent.objects.for_object(card).get()
    assert event.action == "created" and event.client_id is None
    assert event.changes["name"] == [None, "Price list 2027"]
    assert event.changes["lines"][1] == [
        "20s spot · DE · Prime time · CPM: 31.5 EUR", "20s spot · DE · all dayparts · CPM: 27 EUR",
    ]  # fmt: skip


def test_bad_cards_and_lines_are_refused_whole(demo: Any) -> None:
    joyn = vendor(demo, "Joyn")
    before = RateCard.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.create_rate_card(
            demo.ben, joyn, card_values(), lines=[line(), line(rate=D("-1"), cost_model="nope")]
        )
    assert {"lines.1.rate", "lines.1.cost_model"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as dates:
        services.create_rate_card(
            demo.ben, joyn, card_values(valid_from=date(2027, 2, 1), valid_to=date(2027, 1, 1))
        )
    assert "valid_to" in dates.value.message_dict
    with pytest.raises(ValidationError, match="already has a line for 300x250"):
        services.create_rate_card(
            demo.ben, joyn, card_values(), lines=[line(), line(format="300 X 250", market="de")]
        )
    with pytest.raises(ValidationError) as unknown:
        services.create_rate_card(demo.ben, joyn, card_values(vendor=1))
    assert "vendor" in unknown.value.message_dict
    assert RateCard.objects.count() == before


def test_update_replaces_lines_and_records_before_and_after(demo: Any) -> None:
    card = services.create_rate_card(
        demo.ben, vendor(demo, "Joyn"), card_values(), lines=[line(), line(market="AT")]
    )
    de, at = card.lines.order_by("market").reverse()
    services.update_rate_card(
        demo.cara, card, {"name": "Price list 2027 v2"}, reason="New deck",
        lines=[{"id": de.pk, **line(rate=D("10.50"))}, line(market="CH", rate=D("14"))],
    )  # fmt: skip
    assert sorted(card.lines.values_list("market", "rate")) == [
        ("CH", D("14.0000")), ("DE", D("10.5000")),
    ]  # fmt: skip
    assert not RateCardLine.objects.filter(pk=at.pk).exists()
    assert card.lines.get(market="DE").pk == de.pk  # changed in place
    event = AuditEvent.objects.for_object(card).first()
    assert event is not None and event.reason == "New deck" and event.actor == demo.cara
    assert event.changes["name"] == ["Price list 2027", "Price list 2027 v2"]
    before, after = event.changes["lines"]
    assert "300x250 · AT · all dayparts · CPM: 11 EUR" in before
    assert "300x250 · CH · all dayparts · CPM: 14 EUR" in after
    count = AuditEvent.objects.count()
    services.update_rate_card(demo.cara, card, {"name": "Price list 2027 v2"})
    assert AuditEvent.objects.count() == count  # nothing changed, nothing recorded
    other_line = RateCardLine.objects.exclude(rate_card=card).first()
    assert other_line is not None
    with pytest.raises(ValidationError) as caught:
        services.update_rate_card(demo.ben, card, {}, lines=[{"id": other_line.pk, **line()}])
    assert "lines.0.id" in caught.value.message_dict


def test_lines_one_by_one(demo: Any) -> None:
    card = services.create_rate_card(demo.ben, vendor(demo, "Joyn"), card_values())
    added = services.add_rate_line(demo.ben, card, line(daypart=" prime  time "))
    assert added.daypart == "prime time"
    with pytest.raises(ValidationError, match="already has a line"):
        services.add_rate_line(demo.ben, card, line(daypart="PRIME TIME"))
    services.update_rate_line(demo.ben, added, {"rate": D("12.25")}, reason="Typo")
    services.remove_rate_line(demo.ben, added, reason="Dropped")
    assert not card.lines.exists()
    removed, changed, new, _ = AuditEvent.objects.for_object(card)[:4]
    assert new.changes == {"line added": [None, "300x250 · DE · prime time · CPM: 11 EUR"]}
    assert changed.changes["line changed"][1].endswith("12.25 EUR") and changed.reason == "Typo"
    assert removed.changes["line removed"][1] is None and removed.reason == "Dropped"


def test_archived_card_and_vendor_refuse_changes(demo: Any) -> None:
    joyn = vendor(demo, "Joyn")
    card = services.create_rate_card(demo.ben, joyn, card_values(), lines=[line()])
    services.archive_rate_card(demo.ben, card, "Superseded")
    assert card.is_archived and not RateCard.objects.active().filter(pk=card.pk).exists()
    for change in (
        lambda: services.archive_rate_card(demo.ben, card),
        lambda: services.update_rate_card(demo.ben, card, {"notes": "x"}),
        lambda: services.add_rate_line(demo.ben, card, line(market="AT")),
        lambda: services.remove_rate_line(demo.ben, card.lines.get()),
    ):
        with pytest.raises(Conflict):
            change()
    services.restore_rate_card(demo.ben, card)
    assert not card.is_archived
    document = services.upload_document(demo.ben, joyn, filename="a.pdf", data=PDF, values={})
    services.archive_vendor(demo.ben, joyn)
    for change in (
        lambda: services.create_rate_card(demo.ben, joyn, card_values()),
        lambda: services.add_rate_line(demo.ben, card, line(market="AT")),
        lambda: services.update_rate_card(demo.ben, card, {"notes": "x"}),
        lambda: services.add_negotiated_rate(demo.ben, joyn, demo.northwind, negotiated()),
        lambda: services.upload_document(demo.ben, joyn, filename="b.pdf", data=PDF, values={}),
        lambda: services.remove_document(demo.ben, document),
    ):
        with pytest.raises(Conflict, match="vendor is archived"):
            change()


def test_who_may_change_rate_cards(demo: Any, viewer: Any, other_agency: Any) -> None:
    card = RateCard.objects.filter(vendor__organization=demo.alice.organization).first()
    assert card is not None
    with pytest.raises(PermissionDenied):
        services.create_rate_card(viewer, vendor(demo, "Joyn"), card_values())
    with pytest.raises(PermissionDenied):
        services.add_rate_line(viewer, card, line(market="XX"))
    with pytest.raises(Http404):
        services.create_rate_card(demo.dan, vendor(demo, "Joyn"), card_values())
    with pytest.raises(Http404):
        services.update_rate_card(demo.alice, other_agency.rate_card, {"notes": "mine"})
    with pytest.raises(Http404):
        services.remove_rate_line(demo.alice, other_agency.line)
    assert set(RateCard.objects.visible_to(other_agency.admin)) == {other_agency.rate_card}
    assert not RateCard.objects.visible_to(demo.dan).exists()


# --- negotiated rates ------------------------------------------------------------------------


def test_negotiated_rates_per_client_role(demo: Any, viewer: Any) -> None:
    meta = vendor(demo, "Meta")
    rate = services.add_negotiated_rate(demo.ben, meta, demo.northwind, negotiated())
    assert rate.client == demo.northwind and rate.created_by == demo.ben
    event = AuditEvent.objects.for_object(rate).get()
    assert event.client_id == demo.northwind.pk and event.changes["rate"] == [None, "9.0000"]
    # Finance may too; a viewer may not (403); a client they do not see is not there (404).
    services.add_negotiated_rate(demo.cara, meta, demo.fabrikam, negotiated(currency="GBP"))
    with pytest.raises(PermissionDenied, match="coordinator, finance or admin"):
        services.add_negotiated_rate(viewer, meta, demo.northwind, negotiated(market="DE"))
    with pytest.raises(Http404):
        services.add_negotiated_rate(demo.ben, meta, demo.fabrikam, negotiated(market="DE"))
    with pytest.raises(Http404):
        services.add_negotiated_rate(demo.dan, meta, demo.northwind, negotiated(market="DE"))
    with pytest.raises(Http404):
        services.update_negotiated_rate(demo.ben, NegotiatedRate.objects.get(
            client=demo.fabrikam), {"rate": D("1")})  # fmt: skip


def test_overlapping_negotiated_rates_are_refused(demo: Any) -> None:
    meta = vendor(demo, "Meta")
    first = services.add_negotiated_rate(
        demo.ben, meta, demo.northwind, negotiated(valid_to=date(2027, 12, 31))
    )
    with pytest.raises(ValidationError, match=rf"valid 1 Jul – 31 Dec 2027 \(id {first.pk}\)"):
        services.add_negotiated_rate(
            demo.ben, meta, demo.northwind, negotiated(format="VIDEO ", valid_from=date(2027, 9, 1))
        )
    later = services.add_negotiated_rate(
        demo.ben, meta, demo.northwind, negotiated(valid_from=date(2028, 1, 1), rate=D("8.5"))
    )
    # Another client may have its own rate for the same thing at the same time.
    services.add_negotiated_rate(demo.ben, meta, demo.contoso, negotiated(rate=D("7")))
    services.update_negotiated_rate(demo.ben, later, {"rate": D("8.25")}, reason="Final")
    event = AuditEvent.objects.for_object(later).first()
    assert event is not None and event.changes == {"rate": ["8.5000", "8.2500"]}
    services.remove_negotiated_rate(demo.ben, first, "Ended early")
    assert first.is_archived and NegotiatedRate.objects.filter(pk=first.pk).exists()
    assert not NegotiatedRate.objects.active().filter(pk=first.pk).exists()
    with pytest.raises(Conflict):
        services.update_negotiated_rate(demo.ben, first, {"rate": D("1")})
    # Once removed, a new rate for its period may be added.
    services.add_negotiated_rate(
        demo.ben, meta, demo.northwind, negotiated(rate=D("9.5"), valid_to=date(2027, 12, 31))
    )


def test_negotiated_rates_are_scoped_to_visible_clients(
    demo: Any, cora: Any, viewer: Any, other_agency: Any
) -> None:
    meta = vendor(demo, "Meta")
    nwnd = services.add_negotiated_rate(demo.alice, meta, demo.northwind, negotiated())
    fbrk = services.add_negotiated_rate(demo.alice, meta, demo.fabrikam, negotiated())
    ctso = NegotiatedRate.objects.get(client=demo.contoso)
    assert set(NegotiatedRate.objects.visible_to(cora)) == {ctso}
    assert set(NegotiatedRate.objects.visible_to(demo.ben)) == {ctso, nwnd}
    assert set(NegotiatedRate.objects.visible_to(demo.cara)) == {ctso, nwnd, fbrk}
    assert set(NegotiatedRate.objects.visible_to(viewer)) == {nwnd}
    assert not NegotiatedRate.objects.visible_to(demo.dan).exists()  # a client reviewer
    assert set(NegotiatedRate.objects.visible_to(other_agency.admin)) == {
        other_agency.negotiated_rate
    }


def test_rate_checks_use_only_the_placements_clients_rates(demo: Any, cora: Any) -> None:
    meta = vendor(demo, "Meta")
    # Northwind's far better deal must never price (nor show up in) Contoso's plan.
    services.add_negotiated_rate(
        demo.alice, meta, demo.northwind, negotiated(rate=D("5"), valid_from=date(2026, 1, 1))
    )
    version = PlanVersion.objects.get(campaign__code="CTSO-5G26", number=1)
    placement = version.placements.get(vendor="Meta")
    for user in (cora, demo.alice):
        checks = rate_checks(user, [placement], demo.alice.organization_id, demo.contoso.pk)
        difference = checks[placement.pk].difference
        assert difference is not None and difference.reference.rate == D("10.0000")
    nwnd = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    # A client reviewer gets no rate checks at all, even on a plan shared with him.
    assert rate_checks(demo.dan, list(nwnd.placements.all()), demo.alice.organization_id,
                       demo.northwind.pk) == {}  # fmt: skip


def test_rate_checks_cost_three_queries_for_any_number_of_lines(demo: Any) -> None:
    version = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    placements = list(version.placements.all())
    many = [Placement(**{**_fields(p), "pk": 10_000 + n}) for n, p in enumerate(placements * 10)]
    org, client = demo.alice.organization_id, demo.northwind.pk
    rate_checks(demo.ben, placements, org, client)  # the user's roles, read once per request
    with CaptureQueriesContext(connection) as few:
        rate_checks(demo.ben, placements, org, client)
    with CaptureQueriesContext(connection) as lots:
        checks = rate_checks(demo.ben, many, org, client)
    assert len(few) == len(lots) == 3
    assert sum(check.difference is not None for check in checks.values()) == 60


def _fields(placement: Placement) -> dict[str, Any]:
    return {
        f.attname: getattr(placement, f.attname)
        for f in Placement._meta.concrete_fields
        if f.attname != "id"
    }


# --- documents -------------------------------------------------------------------------------


def test_upload_keeps_the_file_under_a_generated_name(demo: Any, media_root: Path) -> None:
    joyn = vendor(demo, "Joyn")
    document = services.upload_document(
        demo.cara, joyn, filename="C:\\scans\\Joyn contract 2027.PDF", data=PDF,
        values={"kind": "contract", "expires_on": date(2027, 12, 31), "notes": "Signed"},
    )  # fmt: skip
    assert document.filename == "Joyn contract 2027.PDF"
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    assert document.file.name.startswith("vendors/documents/")
    assert document.file.name.endswith(".pdf") and "Joyn" not in document.file.name
    assert (media_root / document.file.name).read_bytes() == PDF
    assert document.uploaded_by == demo.cara
    event = AuditEvent.objects.for_object(joyn).first()
    assert event is not None and event.changes == {
        "document added": [None, "Contract: Joyn contract 2027.PDF, expires 31 Dec 2027"]
    }
    image = services.upload_document(
        demo.ben, joyn, filename="w9.png", data=PNG, values={"kind": "tax_form"}
    )
    assert image.content_type == "image/png" and image.expires_on is None
    services.remove_document(demo.ben, image, "Wrong vendor")
    assert image.is_archived and not joyn.documents.active().filter(pk=image.pk).exists()
    with pytest.raises(Conflict):
        services.remove_document(demo.ben, image)


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("contract.pdf", b"MZ\x90\x00 an executable", "does not hold what its name says"),
        ("contract.pdf", PNG, "it looks like a PNG image"),
        ("photo.jpg", PDF, "it looks like a PDF"),
        ("logo.svg", b"<svg onload='x'>", "is not a PDF"),
        ("contract.docx", b"PK\x03\x04", "is not a PDF"),
        ("contract", PDF, "is not a PDF"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_only_pdfs_and_images_pass(demo: Any, filename: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        services.upload_document(
            demo.ben, vendor(demo, "Joyn"), filename=filename, data=data, values={}
        )
    assert set(caught.value.message_dict) == {"file"}
    assert not VendorDocument.objects.filter(vendor__name="Joyn").exists()


def test_size_limit(demo: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 1024)
    with pytest.raises(ValidationError, match="documents can be up to"):
        services.upload_document(
            demo.ben, vendor(demo, "Joyn"), filename="big.pdf", data=PDF + b"0" * 2000,
            values={},
        )  # fmt: skip

    class Upload:
        name = "big.pdf"
        size = None

        def chunks(self) -> Any:
            yield PDF
            yield b"0" * 2000
            raise AssertionError("read on past the limit")

    with pytest.raises(ValidationError, match="over the 0 MB limit"):
        documents.read_document_upload(Upload())


def test_documents_need_a_manager(demo: Any, viewer: Any, other_agency: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.upload_document(viewer, vendor(demo, "Joyn"), filename="a.pdf", data=PDF,
                                 values={})  # fmt: skip
    with pytest.raises(Http404):
        services.upload_document(demo.dan, vendor(demo, "Joyn"), filename="a.pdf", data=PDF,
                                 values={})  # fmt: skip
    with pytest.raises(Http404):
        services.remove_document(demo.alice, other_agency.document)
    with pytest.raises(ValidationError) as caught:
        services.upload_document(demo.ben, vendor(demo, "Joyn"), filename="a.pdf", data=PDF,
                                 values={"kind": "passport"})  # fmt: skip
    assert "kind" in caught.value.message_dict


def test_expiry_states() -> None:
    today = date(2026, 11, 29)
    document = VendorDocument()
    assert document.expiry(today) == DocumentExpiry.NO_EXPIRY
    for days, state in ((-1, "expired"), (0, "expiring"), (30, "expiring"), (31, "valid")):
        document.expires_on = today + timedelta(days=days)
        assert document.expiry(today) == state, days
