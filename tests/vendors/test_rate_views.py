"""Pages: rate cards and their lines, negotiated rates and documents on the vendor page, and the
difference from the rate card on the plan page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mediadesk.audit.models import AuditEvent
from mediadesk.planning.models import PlanVersion
from mediadesk.vendors import services
from mediadesk.vendors.models import NegotiatedRate, RateCard, RateCardLine, Vendor, VendorDocument

PDF = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def vendor(demo: Any, name: str) -> Vendor:
    return Vendor.objects.get(organization=demo.alice.organization, name=name)


def card_of(demo: Any, name: str) -> RateCard:
    return RateCard.objects.get(vendor=vendor(demo, name))


def fabrikam_deal(demo: Any) -> NegotiatedRate:
    """Fabrikam's secret deal with YouTube, entered by finance (Ben does not work on Fabrikam)."""
    return services.add_negotiated_rate(
        demo.cara, vendor(demo, "YouTube"), demo.fabrikam,
        {"format": "bumper 6s", "market": "GB", "cost_model": "cpv", "rate": Decimal("0.0217"),
         "currency": "GBP", "valid_from": date(2027, 1, 1), "notes": "FABRIKAM-SECRET"},
    )  # fmt: skip


def negotiated_section(page: str) -> str:
    """The vendor page's table of negotiated rates (the page names clients elsewhere too)."""
    return page.split('id="negotiated-h"')[1].split("</table>")[0]


# --- the vendor page -------------------------------------------------------------------------


def test_vendor_page_lists_rate_cards_documents_and_flags(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    body = http.get(vendor(demo, "ProSiebenSat.1").get_absolute_url()).content.decode()
    assert "TV rate card 2026" in body and "1 Jan – 31 Dec 2026" in body
    assert "Documents to renew" in body and "Expired" in body
    assert "p7s1-liability-insurance.pdf" in body and "New rate card" in body
    spiegel = http.get(vendor(demo, "Spiegel Media").get_absolute_url()).content.decode()
    assert "Expires soon" in spiegel and "spiegel-media-framework-agreement.pdf" in spiegel
    meta = http.get(vendor(demo, "Meta").get_absolute_url()).content.decode()
    assert "Documents to renew" not in meta and "No expiry" in meta
    assert "Meta Europe 2026" in meta and "Meta North America 2026" in meta


def test_each_person_sees_only_their_clients_negotiated_rates(
    demo: Any, web_as: Any, cora: Any, viewer: Any
) -> None:
    fabrikam_deal(demo)
    youtube = vendor(demo, "YouTube").get_absolute_url()
    meta = vendor(demo, "Meta").get_absolute_url()
    for user, sees_fabrikam, sees_contoso in (
        (demo.alice, True, True), (demo.cara, True, True), (demo.ben, False, True),
        (cora, False, True), (viewer, False, False),
    ):  # fmt: skip
        http = web_as(user)
        rates = negotiated_section(http.get(youtube).content.decode())
        assert ("<td>Fabrikam Outdoor</td>" in rates) is sees_fabrikam, user
        assert ("bumper 6s" in rates) is sees_fabrikam, user
        rates = negotiated_section(http.get(meta).content.decode())
        assert ("<td>Contoso Mobile</td>" in rates) is sees_contoso, user
    # The form offers only the clients the person may change rates of.
    form = web_as(demo.ben).get(meta).content.decode()
    options = re.findall(
        r'<option value="(\d+)"', form.split('name="client"')[1].split("</select>")[0]
    )
    assert set(map(int, options)) == {demo.northwind.pk, demo.contoso.pk}
    assert "Add a negotiated rate" not in web_as(viewer).get(meta).content.decode()
    assert web_as(demo.dan).get(meta).status_code == 404


def test_add_edit_and_remove_a_negotiated_rate(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    spotify = vendor(demo, "Spotify")
    data = {
        "client": demo.contoso.pk, "format": "30s audio", "market": "US", "daypart": "",
        "cost_model": "cpm", "rate": "18.50", "currency": "USD", "valid_from": "2026-01-01",
        "valid_to": "", "notes": "",
    }  # fmt: skip
    response = http.post(f"/vendors/{spotify.pk}/negotiated-rates/", data)
    assert response.status_code == 302
    rate = NegotiatedRate.objects.get(vendor=spotify)
    assert rate.client == demo.contoso and rate.rate == Decimal("18.50")
    # A client Ben cannot see is not a choice, whatever the form says.
    refused = http.post(f"/vendors/{spotify.pk}/negotiated-rates/",
                        {**data, "client": demo.fabrikam.pk, "market": "GB"})  # fmt: skip
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    twice = http.post(f"/vendors/{spotify.pk}/negotiated-rates/", {**data, "notes": "Keep me"})
    body = twice.content.decode()
    assert twice.status_code == 400 and "There is already a negotiated rate" in body
    assert "Keep me" in body
    edit = f"/vendors/{spotify.pk}/negotiated-rates/{rate.pk}/edit/"
    assert http.get(edit).status_code == 200
    http.post(edit, {**data, "rate": "18.00", "reason": "Final offer"})
    rate.refresh_from_db()
    assert rate.rate == Decimal("18.0000")
    assert AuditEvent.objects.for_object(rate).first().reason == "Final offer"  # type: ignore[union-attr]
    http.post(f"/vendors/{spotify.pk}/negotiated-rates/{rate.pk}/remove/")
    rate.refresh_from_db()
    assert rate.is_archived
    assert (
        "No negotiated rates with Spotify" in http.get(spotify.get_absolute_url()).content.decode()
    )


def test_another_clients_negotiated_rate_is_not_found(demo: Any, web_as: Any) -> None:
    deal = fabrikam_deal(demo)
    youtube = vendor(demo, "YouTube")
    http = web_as(demo.ben)
    base = f"/vendors/{youtube.pk}/negotiated-rates/{deal.pk}"
    assert http.get(f"{base}/edit/").status_code == 404
    assert http.post(f"{base}/edit/", {"rate": "0.01"}).status_code == 404
    assert http.post(f"{base}/remove/").status_code == 404
    deal.refresh_from_db()
    assert not deal.is_archived and deal.rate == Decimal("0.0217")


def test_viewer_reads_rate_cards_but_changes_nothing(demo: Any, web_as: Any, viewer: Any) -> None:
    http = web_as(viewer)
    card = card_of(demo, "Spiegel Media")
    page = http.get(card.get_absolute_url()).content.decode()
    assert "Digital price list 2026" in page and "300x250" in page
    assert "Add a line" not in page and ">Archive<" not in page
    line = card.lines.first()
    assert line is not None
    base = f"/vendors/{card.vendor_id}/rate-cards/{card.pk}"
    assert http.get(f"/vendors/{card.vendor_id}/rate-cards/new/").status_code == 403
    assert (
        http.post(f"{base}/lines/", {"format": "x", "cost_model": "cpm", "rate": "1"}).status_code
        == 403
    )
    assert http.get(f"{base}/lines/{line.pk}/edit/").status_code == 403
    assert http.post(f"{base}/archive/").status_code == 403
    assert http.post(f"{base}/lines/{line.pk}/remove/").status_code == 403
    upload = {"kind": "contract", "file": SimpleUploadedFile("a.pdf", PDF)}
    assert http.post(f"/vendors/{card.vendor_id}/documents/", upload).status_code == 403


def test_create_a_rate_card_and_its_lines(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    joyn = vendor(demo, "Joyn")
    form = http.get(f"/vendors/{joyn.pk}/rate-cards/new/").content.decode()
    assert 'value="EUR" selected' in form and f'value="{timezone.localdate().year}-01-01"' in form
    response = http.post(
        f"/vendors/{joyn.pk}/rate-cards/new/",
        {"name": "CTV 2027", "currency": "EUR", "valid_from": "2027-01-01", "valid_to": ""},
    )
    card = RateCard.objects.get(vendor=joyn)
    assert response.status_code == 302 and response["Location"] == card.get_absolute_url()
    line = {"format": "20s spot", "market": "DE", "daypart": "", "cost_model": "cpm",
            "rate": "26.00"}  # fmt: skip
    assert http.post(f"{card.get_absolute_url()}lines/", line).status_code == 302
    again = http.post(f"{card.get_absolute_url()}lines/", {**line, "rate": "99"})
    assert again.status_code == 400
    assert "already has a line for 20s spot · DE" in again.content.decode()
    assert 'value="99"' in again.content.decode()
    page = http.get(card.get_absolute_url()).content.decode()
    assert "20s spot" in page and "26" in page and "Line added" in page
    bad = http.post(f"/vendors/{joyn.pk}/rate-cards/new/",
                    {"name": "", "currency": "EUR", "valid_from": "2027-02-01",
                     "valid_to": "2027-01-01", "notes": "Keep me"})  # fmt: skip
    assert "Please fix 2 fields" in bad.content.decode() and "Keep me" in bad.content.decode()


def test_edit_a_line_in_place_with_or_without_htmx(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    card = card_of(demo, "RMS")
    line = card.lines.get(daypart="")
    url = f"{card.get_absolute_url()}lines/{line.pk}/edit/"
    full = http.get(url).content.decode()
    assert "<html" in full and "Change the line 30s spot · DE · all dayparts" in full
    fragment = http.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and fragment.lstrip().startswith(
        '<form method="post" id="line-form"'
    )
    assert 'value="350.0000"' in fragment or 'value="350"' in fragment
    data = {"format": "30s spot", "market": "DE", "daypart": "", "cost_model": "per_spot",
            "rate": "365"}  # fmt: skip
    assert http.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.rate == Decimal("365.0000")
    clash = http.post(url, {**data, "daypart": "morning  drive"})
    assert clash.status_code == 400 and "already has a line" in clash.content.decode()
    http.post(f"{card.get_absolute_url()}lines/{line.pk}/remove/")
    assert not RateCardLine.objects.filter(pk=line.pk).exists()
    history = http.get(card.get_absolute_url()).content.decode()
    assert "Line removed" in history and "Line changed" in history


def test_edit_and_archive_a_rate_card(demo: Any, web_as: Any) -> None:
    http = web_as(demo.cara)
    card = card_of(demo, "Spotify")
    edit = f"{card.get_absolute_url()}edit/"
    assert "Reason for the change" in http.get(edit).content.decode()
    http.post(edit, {"name": "Spotify US 2026 (rev.)", "currency": "USD", "reason": "Revised",
                     "valid_from": "2026-01-01", "valid_to": "2026-12-31"})  # fmt: skip
    card.refresh_from_db()
    assert card.name == "Spotify US 2026 (rev.)"
    page = http.get(card.get_absolute_url())
    assert 'data-confirm="Archive “Spotify US 2026 (rev.)”?' in page.content.decode()
    http.post(f"{card.get_absolute_url()}archive/")
    card.refresh_from_db()
    assert card.is_archived
    assert http.get(edit).status_code == 302
    vendor_page = http.get(vendor(demo, "Spotify").get_absolute_url()).content.decode()
    assert "Archived rate cards (1)" in vendor_page
    http.post(f"{card.get_absolute_url()}archive/", {"action": "restore"})
    card.refresh_from_db()
    assert not card.is_archived


# --- documents -------------------------------------------------------------------------------


def test_upload_download_and_remove_a_document(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    joyn = vendor(demo, "Joyn")
    soon = timezone.localdate() + timedelta(days=12)
    response = http.post(
        f"/vendors/{joyn.pk}/documents/",
        {"kind": "insurance", "expires_on": soon.isoformat(), "notes": "Liability",
         "file": SimpleUploadedFile("Joyn insurance.pdf", PDF, content_type="application/pdf")},
    )  # fmt: skip
    assert response.status_code == 302
    document = VendorDocument.objects.get(vendor=joyn)
    page = http.get(joyn.get_absolute_url()).content.decode()
    assert "Documents to renew" in page and "Expires soon" in page and "Document added" in page
    download = http.get(f"/vendors/{joyn.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Joyn insurance.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == PDF
    assert http.post(f"/vendors/{joyn.pk}/documents/{document.pk}/").status_code == 405
    http.post(f"/vendors/{joyn.pk}/documents/{document.pk}/remove/")
    document.refresh_from_db()
    assert document.is_archived
    assert http.get(f"/vendors/{joyn.pk}/documents/{document.pk}/").status_code == 404


def test_a_bad_upload_is_refused_beside_the_field(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    joyn = vendor(demo, "Joyn")
    response = http.post(
        f"/vendors/{joyn.pk}/documents/",
        {"kind": "tax_form", "notes": "Keep me", "expires_on": "",
         "file": SimpleUploadedFile("w9.pdf", b"<html><script>x</script>", "application/pdf")},
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 400
    assert "w9.pdf does not hold what its name says (it looks like a web page (HTML))" in body
    assert "Keep me" in body and 'value="tax_form" selected' in body
    assert not VendorDocument.objects.filter(vendor=joyn).exists()


def test_documents_are_only_for_people_who_read_vendors(
    demo: Any, web_as: Any, other_agency: Any
) -> None:
    document = VendorDocument.objects.get(filename="meta-w8ben-e.pdf")
    url = f"/vendors/{document.vendor_id}/documents/{document.pk}/"
    assert web_as(demo.dan).get(url).status_code == 404
    foreign = f"/vendors/{other_agency.vendor.pk}/documents/{other_agency.document.pk}/"
    assert web_as(demo.alice).get(foreign).status_code == 404
    # Not through another vendor's address either.
    spotify = vendor(demo, "Spotify")
    assert (
        web_as(demo.alice).get(f"/vendors/{spotify.pk}/documents/{document.pk}/").status_code == 404
    )
    assert web_as(demo.alice).get(url).status_code == 200
    assert (
        "/media/" not in web_as(demo.alice).get(f"/vendors/{document.vendor_id}/").content.decode()
    )


def test_other_agencies_rate_cards_are_not_found(demo: Any, web_as: Any, other_agency: Any) -> None:
    http = web_as(demo.alice)
    card = other_agency.rate_card
    assert http.get(f"/vendors/{card.vendor_id}/rate-cards/{card.pk}/").status_code == 404
    own = vendor(demo, "Meta")
    assert http.get(f"/vendors/{own.pk}/rate-cards/{card.pk}/").status_code == 404
    assert http.post(f"/vendors/{own.pk}/rate-cards/{card.pk}/archive/").status_code == 404
    body = http.get(own.get_absolute_url()).content.decode()
    assert "Other's secret card" not in body and "others-contract.pdf" not in body


# --- the plan page ---------------------------------------------------------------------------


def test_plan_page_shows_the_difference_from_the_rate_card(demo: Any, web_as: Any) -> None:
    version = PlanVersion.objects.get(campaign__code="NWND-AR26", number=1)
    body = web_as(demo.ben).get(version.get_absolute_url()).content.decode()
    assert "Rate 12.50 EUR CPM is 0.50 EUR (4.2%) above the rate card (12.00 EUR)." in body
    assert "+4.2% vs card" in body and "−14.3% vs card" in body and "= card" in body
    contoso = PlanVersion.objects.get(campaign__code="CTSO-5G26", number=1)
    body = web_as(demo.ben).get(contoso.get_absolute_url()).content.decode()
    assert "+10.0% vs negotiated" in body
    # The client's reviewer sees the approved plan, but no rate card or negotiated rate.
    shared = web_as(demo.dan).get(version.get_absolute_url())
    assert shared.status_code == 200
    assert "vs card" not in shared.content.decode() and "rate card" not in shared.content.decode()
