"""Vendor pages: list with search, filter and downloads; create, edit, detail, contacts."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from mediadesk.audit.models import AuditEvent
from mediadesk.vendors.models import Vendor, VendorContact


def vendor_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Acast",
        "kind": "platform",
        "website": "https://podimo.example",
        "tax_id": "",
        "payment_terms": "net_30",
        "currency": "EUR",
        "address": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_list_shows_the_directory_and_the_nav_link(demo: Any, web_as: Any) -> None:
    response = web_as(demo.ben).get("/vendors/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "ProSiebenSat.1" in body and "JCDecaux" in body
    assert 'href="/vendors/"' in body and "New vendor" in body


def test_search_and_kind_filter(demo: Any, web_as: Any) -> None:
    http = web_as(demo.cara)
    body = http.get("/vendors/", {"q": "spieg"}).content.decode()
    assert "Spiegel Media" in body and "Ströer" not in body
    body = http.get("/vendors/", {"kind": "broadcaster"}).content.decode()
    assert "NBCUniversal" in body and "ProSiebenSat.1" in body and "Spotify" not in body
    body = http.get("/vendors/", {"q": "nothing like this"}).content.decode()
    assert "No vendors match" in body and "Clear the filters" in body
    body = http.get("/vendors/", {"kind": "pirate"}).content.decode()
    assert "Filter “kind” ignored" in body and "Spotify" in body


def test_archived_toggle(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    joyn = Vendor.objects.get(name="Joyn")
    http.post(f"/vendors/{joyn.pk}/archive/", follow=True)  # the message shows once
    assert "Joyn" not in http.get("/vendors/").content.decode()
    archived = http.get("/vendors/", {"archived": "true"}).content.decode()
    assert "Joyn" in archived and "Spotify" not in archived


def test_downloads(demo: Any, web_as: Any, other_agency: Any) -> None:
    http = web_as(demo.ben)
    csv = http.get("/vendors/", {"format": "csv", "kind": "platform"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert text.startswith("Vendor,Kind,Website")
    assert "Spotify" in text and "Ströer" not in text
    everything = http.get("/vendors/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "Ströer" in everything and "Other's notes" not in everything
    xlsx = http.get("/vendors/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    names = [row[0] for row in rows]
    assert "NBCUniversal" in names and "Other's notes" not in str(rows)
    assert len(rows) == Vendor.objects.filter(organization=demo.ben.organization).count()


def test_download_neutralizes_formulas(demo: Any, web_as: Any) -> None:
    http = web_as(demo.alice)
    http.post("/vendors/new/", vendor_data(name="=HYPERLINK(1)"))
    text = http.get("/vendors/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_empty_state_for_a_new_organization(demo: Any, web_as: Any, other_agency: Any) -> None:
    other_agency.vendor.delete()
    body = web_as(other_agency.admin).get("/vendors/").content.decode()
    assert "No vendors yet" in body and "Add the first vendor" in body


def test_client_reviewer_has_no_vendor_directory(demo: Any, web_as: Any) -> None:
    http = web_as(demo.dan)
    assert http.get("/vendors/").status_code == 404
    assert http.get("/vendors/new/").status_code == 404
    assert 'href="/vendors/"' not in http.get("/campaigns/").content.decode()


def test_viewer_reads_but_cannot_change(demo: Any, web_as: Any, viewer: Any) -> None:
    http = web_as(viewer)
    vendor = Vendor.objects.get(name="Spotify")
    body = http.get("/vendors/").content.decode()
    assert "Spotify" in body and "New vendor" not in body
    detail = http.get(f"/vendors/{vendor.pk}/").content.decode()
    assert "Alex Kim" in detail and "Add a contact" not in detail and ">Archive<" not in detail
    assert http.get("/vendors/new/").status_code == 403
    assert http.post(f"/vendors/{vendor.pk}/archive/").status_code == 403
    assert http.post(f"/vendors/{vendor.pk}/contacts/", {"name": "X"}).status_code == 403


def test_create_then_detail(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    response = http.post("/vendors/new/", vendor_data())
    vendor = Vendor.objects.get(name="Acast")
    assert response.status_code == 302 and response["Location"] == f"/vendors/{vendor.pk}/"
    body = http.get(response["Location"]).content.decode()
    assert "Acast" in body and "https://podimo.example" in body
    assert "Created" in body and "Ben Brooks" in body  # the history
    assert AuditEvent.objects.for_object(vendor).get().via == "web"


def test_create_form_keeps_input_on_error(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    response = http.post(
        "/vendors/new/", vendor_data(name="Spotify", notes="Keep me", tax_id="TAX-1")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is already a vendor named “Spotify”" in body
    assert "Keep me" in body and 'value="TAX-1"' in body
    response = http.post("/vendors/new/", vendor_data(name="", website="nope"))
    body = response.content.decode()
    assert "Please fix 2 fields" in body and 'value="nope"' in body


def test_edit_records_the_change(demo: Any, web_as: Any) -> None:
    http = web_as(demo.cara)
    vendor = Vendor.objects.get(name="RMS")
    form = http.get(f"/vendors/{vendor.pk}/edit/")
    assert form.status_code == 200 and "Reason for the change" in form.content.decode()
    data = vendor_data(name="RMS", kind="network", website=vendor.website, payment_terms="net_60",
                       reason="Renegotiated")  # fmt: skip
    response = http.post(f"/vendors/{vendor.pk}/edit/", data)
    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.payment_terms == "net_60"
    body = http.get(f"/vendors/{vendor.pk}/").content.decode()
    assert "Renegotiated" in body and "Net 60" in body and "Net 30" in body


def test_archive_and_restore_from_the_page(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    vendor = Vendor.objects.get(name="Joyn")
    page = http.get(f"/vendors/{vendor.pk}/").content.decode()
    assert 'data-confirm="Archive “Joyn”?' in page
    http.post(f"/vendors/{vendor.pk}/archive/")
    vendor.refresh_from_db()
    assert vendor.is_archived
    assert http.get(f"/vendors/{vendor.pk}/edit/").status_code == 302
    http.post(f"/vendors/{vendor.pk}/archive/", {"action": "restore"})
    vendor.refresh_from_db()
    assert not vendor.is_archived


def test_contacts_add_and_remove(demo: Any, web_as: Any) -> None:
    http = web_as(demo.ben)
    vendor = Vendor.objects.get(name="Joyn")
    response = http.post(
        f"/vendors/{vendor.pk}/contacts/",
        {"name": "Eva Stein", "position": "Ad ops", "email": "eva@example.de", "phone": ""},
    )
    assert response.status_code == 302
    contact = VendorContact.objects.get(vendor=vendor, name="Eva Stein")
    body = http.get(f"/vendors/{vendor.pk}/").content.decode()
    assert "eva@example.de" in body and "Contact added" in body
    refused = http.post(
        f"/vendors/{vendor.pk}/contacts/", {"name": "Typo Tim", "email": "not-an-address"}
    )
    assert refused.status_code == 400
    assert 'value="Typo Tim"' in refused.content.decode()
    http.post(f"/vendors/{vendor.pk}/contacts/{contact.pk}/remove/")
    assert not VendorContact.objects.filter(pk=contact.pk).exists()
    other = VendorContact.objects.exclude(vendor=vendor).first()
    assert other is not None
    # A contact of another vendor is not found through this vendor's address.
    assert http.post(f"/vendors/{vendor.pk}/contacts/{other.pk}/remove/").status_code == 404


def test_nav_link_only_for_internal_roles_on_every_page(demo: Any, web_as: Any) -> None:
    for user, shown in ((demo.alice, True), (demo.ben, True), (demo.cara, True), (demo.dan, False)):
        http = web_as(user)
        for url in ("/", "/settings/", "/campaigns/"):
            body = http.get(url, follow=True).content.decode()
            assert ('href="/vendors/"' in body) is shown, (user.email, url)
