"""Finance pages: invoice list, entry, import and detail with its actions; payment batches;
the month-end close; who may see and do what, and another client's objects answering 404."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Client, Membership, User
from mediadesk.finance import services
from mediadesk.finance.choices import BatchStatus, InvoiceKind, InvoiceStatus
from mediadesk.finance.models import FinanceSettings, Invoice, InvoiceNote, PaymentBatch
from mediadesk.orders import services as orders
from mediadesk.orders.models import InsertionOrder
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import PlanVersion
from mediadesk.vendors.models import Vendor

PDF = b"%PDF-1.4\n% a vendor invoice\n"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def accepted_order(demo: Any, vendor: str = "Ströer", code: str = "NWND-AR26") -> InsertionOrder:
    """The campaign's IO for ``vendor``, generated from its approved plan and countersigned."""
    version = PlanVersion.objects.filter(
        campaign__code=code, status__in=[PlanStatus.APPROVED, PlanStatus.CLIENT_APPROVED]
    ).order_by("-number")[0]
    actor = demo.alice
    orders.generate_orders(actor, version)
    order = InsertionOrder.objects.get(campaign__code=code, vendor__name=vendor)
    if order.status != "accepted":
        order = orders.upload_countersigned(actor, order, PDF, "signed.pdf")
    return order


def flat_invoice(demo: Any, number: str = "ST-1001", **extra: Any) -> Invoice:
    """A Ströer invoice billing the flat-fee OOH line exactly as ordered: matched."""
    order = accepted_order(demo)
    line = order.lines.get()
    values: dict[str, Any] = {
        "vendor": order.vendor, "number": number, "invoice_date": date(2026, 11, 2),
        "currency": "EUR", "total": line.cost,
        "lines": [services.LineInput(placement=line.code, month=(2026, 10), amount=line.cost,
                                     io_number=order.number)],
    }  # fmt: skip
    values.update(extra)
    return services.record_invoice(demo.cara, **values)


def stray_invoice(demo: Any, client: Client, number: str = "X-1") -> Invoice:
    """An invoice of ``client`` for a placement on no IO: recorded with discrepancies."""
    return services.record_invoice(
        demo.cara, vendor="Spotify", number=number, invoice_date=date(2026, 11, 2),
        currency=client.default_currency, total=Decimal("100.00"), client=client,
        lines=[services.LineInput(placement="NOT-ORDERED", month=(2026, 10),
                                  amount=Decimal("100.00"))],
    )  # fmt: skip


def member(demo: Any, role: Role, email: str) -> User:
    user = User.objects.create_user(email, "x", organization=demo.alice.organization)
    Membership.objects.create(user=user, client=demo.northwind, role=role)
    return user


def header(order: InsertionOrder, **overrides: Any) -> dict[str, Any]:
    line = order.lines.get()
    data = {
        "vendor": order.vendor_id, "client": order.client_id, "number": "INV-77",
        "invoice_date": "2026-11-02", "due_date": "", "currency": "EUR", "total": "40000.00",
        "tax": "", "notes": "", "credit_for": "",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-placement": line.code, "lines-0-io_number": order.number,
        "lines-0-month": "2026-10", "lines-0-description": "Mega-light", "lines-0-quantity": "",
        "lines-0-amount": "40000.00", "lines-0-tax": "",
        "lines-1-placement": "", "lines-1-io_number": "", "lines-1-month": "",
        "lines-1-description": "", "lines-1-quantity": "", "lines-1-amount": "", "lines-1-tax": "",
    }  # fmt: skip
    data.update(overrides)
    return data


# --- the list ------------------------------------------------------------------------------


def test_list_filters_totals_and_downloads(demo: Any, web_as: Any) -> None:
    matched = flat_invoice(demo)
    stray_invoice(demo, demo.fabrikam, "FB-9")
    http = web_as(demo.cara)
    body = http.get("/invoices/").content.decode()
    assert "ST-1001" in body and "FB-9" in body
    assert "Matched" in body and "Discrepancy" in body
    assert "Total EUR" in body and "Total GBP" in body
    assert 'href="/invoices/"' in body  # the nav link
    body = http.get("/invoices/", {"status": "matched"}).content.decode()
    assert "ST-1001" in body and "FB-9" not in body
    body = http.get("/invoices/", {"client": demo.fabrikam.pk}).content.decode()
    assert "FB-9" in body and "ST-1001" not in body
    body = http.get("/invoices/", {"vendor": matched.vendor_id, "q": "1001"}).content.decode()
    assert "ST-1001" in body and "FB-9" not in body
    body = http.get("/invoices/", {"q": "nothing like it"}).content.decode()
    assert "No invoices match" in body
    body = http.get("/invoices/", {"status": "lost"}).content.decode()
    assert "Filter “status” ignored" in body and "ST-1001" in body
    csv = http.get("/invoices/", {"format": "csv", "status": "matched"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "ST-1001" in text and "FB-9" not in text and "2026-11-02" in text
    xlsx = http.get("/invoices/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    numbers = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert numbers == {"ST-1001", "FB-9"}


def test_list_empty_state_and_who_sees_it(demo: Any, web_as: Any) -> None:
    body = web_as(demo.cara).get("/invoices/").content.decode()
    assert "No invoices yet" in body and "Enter the first invoice" in body
    stray_invoice(demo, demo.fabrikam, "FB-9")
    flat_invoice(demo)
    # A coordinator reads, only their clients, and cannot enter.
    body = web_as(demo.ben).get("/invoices/").content.decode()
    assert "ST-1001" in body and "FB-9" not in body and "Fabrikam" not in body
    assert "Enter an invoice" not in body
    # A client reviewer does not find finance; creative and viewer are told why not.
    assert web_as(demo.dan).get("/invoices/").status_code == 404
    assert 'href="/invoices/"' not in web_as(demo.dan).get("/").content.decode()
    creative = member(demo, Role.CREATIVE, "cleo@demo.test")
    response = web_as(creative).get("/invoices/")
    assert response.status_code == 403
    assert "see budgets, invoices and payments" in response.content.decode()
    viewer = member(demo, Role.VIEWER, "vic@demo.test")
    assert web_as(viewer).get("/payments/").status_code == 403


# --- entering an invoice -----------------------------------------------------------------------


def test_enter_an_invoice_with_a_pdf(demo: Any, web_as: Any) -> None:
    order = accepted_order(demo)
    http = web_as(demo.cara)
    page = http.get("/invoices/new/")
    assert page.status_code == 200 and "Add line" in page.content.decode()
    data = header(order)
    data["file"] = SimpleUploadedFile("inv.pdf", PDF, content_type="application/pdf")
    response = http.post("/invoices/new/", data)
    invoice = Invoice.objects.get(number="INV-77")
    assert response.status_code == 302 and response["Location"] == f"/invoices/{invoice.pk}/"
    assert invoice.status == InvoiceStatus.MATCHED and invoice.lines.count() == 1
    download = http.get(f"/invoices/{invoice.pk}/file/")
    assert download.status_code == 200 and download.content == PDF
    assert download["Content-Type"] == "application/pdf"
    assert web_as(demo.dan).get(f"/invoices/{invoice.pk}/file/").status_code == 404


def test_entry_errors_stay_on_their_line_and_nothing_is_saved(demo: Any, web_as: Any) -> None:
    order = accepted_order(demo)
    http = web_as(demo.cara)
    data = header(
        order, **{"lines-1-placement": "X", "lines-1-month": "Oct", "lines-1-amount": "5"}
    )
    response = http.post("/invoices/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "“Oct” is not a month" in body and 'value="INV-77"' in body
    assert not Invoice.objects.exists()
    # A service refusal on a line (too many decimals) lands on that line's amount.
    response = http.post("/invoices/new/", header(order, **{"lines-0-amount": "40000.001"}))
    assert response.status_code == 400
    assert "more decimals than EUR has" in response.content.decode()
    assert 'id="id_lines-0-amount_error"' in response.content.decode()
    # The PDF must be a PDF.
    data = header(order)
    data["file"] = SimpleUploadedFile("inv.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = http.post("/invoices/new/", data)
    assert response.status_code == 400 and "is not a PDF" in response.content.decode()
    assert not Invoice.objects.exists()


def test_a_duplicate_names_the_existing_invoice(demo: Any, web_as: Any) -> None:
    existing = flat_invoice(demo, number="INV-77")
    order = accepted_order(demo)
    response = web_as(demo.cara).post("/invoices/new/", header(order))
    assert response.status_code == 400
    body = response.content.decode()
    assert "already recorded" in body and f'href="/invoices/{existing.pk}/"' in body
    assert Invoice.objects.count() == 1


def test_add_line_with_and_without_scripts(demo: Any, web_as: Any) -> None:
    order = accepted_order(demo)
    http = web_as(demo.cara)
    fragment = http.get("/invoices/new/line/", {"lines-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert 'name="lines-2-placement"' in body and 'hx-swap-oob="true"' in body
    assert 'value="3"' in body
    response = http.post("/invoices/new/", {**header(order), "add_line": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and 'name="lines-2-placement"' in body
    assert not Invoice.objects.exists()
    assert web_as(demo.ben).get("/invoices/new/line/").status_code == 403


def test_coordinators_cannot_enter(demo: Any, web_as: Any) -> None:
    order = accepted_order(demo)
    assert web_as(demo.ben).get("/invoices/new/").status_code == 403
    assert web_as(demo.ben).post("/invoices/new/", header(order)).status_code == 403
    assert web_as(demo.dan).get("/invoices/new/").status_code == 404
    assert not Invoice.objects.exists()


def test_credit_note_from_the_invoice(demo: Any, web_as: Any) -> None:
    invoice = flat_invoice(demo)
    http = web_as(demo.cara)
    page = http.get("/invoices/new/", {"credit_for": invoice.pk}).content.decode()
    assert "Credit note for invoice ST-1001" in page
    assert f'value="{invoice.lines.get().placement_code}"' in page
    data = header(accepted_order(demo), number="CN-1", total="-1000.00", credit_for=invoice.pk)
    data["lines-0-amount"] = "-1000.00"
    response = http.post("/invoices/new/", data)
    credit = Invoice.objects.get(number="CN-1")
    assert response.status_code == 302
    assert credit.kind == InvoiceKind.CREDIT_NOTE and credit.credit_for_id == invoice.pk
    assert "CN-1" in http.get(f"/invoices/{invoice.pk}/").content.decode()
    other = stray_invoice(demo, demo.fabrikam, "FB-9")
    assert web_as(demo.ben).get("/invoices/new/", {"credit_for": other.pk}).status_code == 403


# --- importing -----------------------------------------------------------------------------


def invoice_csv(order: InsertionOrder, rows: list[tuple[str, str, str]]) -> bytes:
    line = order.lines.get()
    text = "vendor,invoice_number,invoice_date,currency,io_number,placement,month,amount\n"
    for vendor, number, amount in rows:
        text += f"{vendor},{number},2026-11-02,EUR,{order.number},{line.code},2026-10,{amount}\n"
    return text.encode()


def test_import_records_every_invoice(demo: Any, web_as: Any) -> None:
    order = accepted_order(demo)
    http = web_as(demo.cara)
    assert "Columns the file needs" in http.get("/invoices/import/").content.decode()
    data = invoice_csv(order, [("Ströer", "IMP-1", "20000.00"), ("stroer ", "IMP-2", "1.00")])
    data = data.replace(b"stroer ", "Ströer".encode())
    response = http.post("/invoices/import/", {"file": SimpleUploadedFile("inv.csv", data)})
    body = response.content.decode()
    assert response.status_code == 200, body
    assert "2 invoices imported" in body and "IMP-1" in body and "IMP-2" in body
    assert Invoice.objects.filter(source="import").count() == 2


def test_import_shows_every_problem_and_saves_nothing(demo: Any, web_as: Any) -> None:
    order = accepted_order(demo)
    http = web_as(demo.cara)
    bad = invoice_csv(order, [("Ströer", "IMP-1", "20000.001"), ("Ströer", "IMP-2", "abc")])
    response = http.post("/invoices/import/", {"file": SimpleUploadedFile("inv.csv", bad)})
    body = response.content.decode()
    assert response.status_code == 400 and "Nothing was imported" in body
    assert "20000.001" in body and "abc" in body
    # A file that reads well but names an unknown vendor in its second invoice: all or nothing.
    unknown = invoice_csv(order, [("Ströer", "IMP-1", "20000.00"), ("Nobody Media", "IMP-2", "5")])
    response = http.post("/invoices/import/", {"file": SimpleUploadedFile("inv.csv", unknown)})
    body = response.content.decode()
    assert response.status_code == 400 and "Nobody Media" in body
    assert not Invoice.objects.exists()
    assert web_as(demo.ben).get("/invoices/import/").status_code == 403


# --- one invoice ----------------------------------------------------------------------------


def test_detail_shows_lines_discrepancies_and_history(demo: Any, web_as: Any) -> None:
    invoice = stray_invoice(demo, demo.northwind, "NW-1")
    services.add_note(demo.cara, invoice, "Asked Spotify which IO this is.")
    body = web_as(demo.ben).get(f"/invoices/{invoice.pk}/").content.decode()
    assert "NOT-ORDERED" in body and "has-discrepancy" in body
    for sentence in invoice.lines.get().discrepancies:
        assert sentence["message"].split("“")[0][:30] in body
    assert "0 of 1 approval" in body and "Asked Spotify" in body
    assert "History" in body and "Created" in body
    assert "Approve for payment" not in body and "Match again" not in body  # ben reads only
    assert web_as(demo.dan).get(f"/invoices/{invoice.pk}/").status_code == 404
    creative = member(demo, Role.CREATIVE, "cleo@demo.test")
    assert web_as(creative).get(f"/invoices/{invoice.pk}/").status_code == 403


def test_invoice_level_discrepancy_is_shown(demo: Any, web_as: Any) -> None:
    invoice = flat_invoice(demo, total=Decimal("41000.00"))
    assert invoice.discrepancies
    body = web_as(demo.cara).get(f"/invoices/{invoice.pk}/").content.decode()
    assert "The invoice as a whole:" in body


def test_approve_a_matched_invoice(demo: Any, web_as: Any) -> None:
    invoice = flat_invoice(demo)
    http = web_as(demo.cara)
    response = http.post(f"/invoices/{invoice.pk}/approve/", {"comment": "ok"}, follow=True)
    body = response.content.decode()
    assert "is approved for payment" in body and "1 of 1 approval" in body
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED
    again = http.post(f"/invoices/{invoice.pk}/approve/", {"comment": ""}, follow=True)
    assert "only a matched invoice" in again.content.decode()


def test_two_approvals_above_the_limit(demo: Any, web_as: Any) -> None:
    FinanceSettings.objects.update_or_create(
        client=demo.northwind, defaults={"second_approval_above": Decimal("1000.00")}
    )
    invoice = flat_invoice(demo)
    body = web_as(demo.cara).post(f"/invoices/{invoice.pk}/approve/", {}, follow=True)
    assert "1 of 2 approvals" in body.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.MATCHED
    web_as(demo.alice).post(f"/invoices/{invoice.pk}/approve/", {})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED and invoice.approvals.count() == 2


def test_discrepancy_needs_an_override_reason(demo: Any, web_as: Any) -> None:
    invoice = stray_invoice(demo, demo.northwind, "NW-1")
    http = web_as(demo.cara)
    response = http.post(f"/invoices/{invoice.pk}/approve/", {"comment": "fine"})
    assert response.status_code == 400
    assert "say why it is approved as it is" in response.content.decode()
    assert not invoice.approvals.exists()
    http.post(f"/invoices/{invoice.pk}/approve/", {"override_reason": "Agreed by phone."})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.APPROVED


def test_dispute_note_and_match_again(demo: Any, web_as: Any) -> None:
    invoice = stray_invoice(demo, demo.northwind, "NW-1")
    http = web_as(demo.cara)
    response = http.post(f"/invoices/{invoice.pk}/dispute/", {"note": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    http.post(f"/invoices/{invoice.pk}/dispute/", {"note": "Not ours; please credit."})
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.DISPUTED
    http.post(f"/invoices/{invoice.pk}/notes/", {"text": "Vendor will credit."})
    assert InvoiceNote.objects.filter(invoice=invoice).count() == 2
    body = http.post(f"/invoices/{invoice.pk}/match/", follow=True).content.decode()
    assert "Matched again" in body and "Dispute</span>" in body
    # Coordinators read but do not act; client reviewers do not find it.
    assert web_as(demo.ben).post(f"/invoices/{invoice.pk}/match/").status_code == 403
    assert web_as(demo.ben).post(f"/invoices/{invoice.pk}/notes/", {"text": "x"}).status_code == 403
    assert (
        web_as(demo.dan).post(f"/invoices/{invoice.pk}/dispute/", {"note": "x"}).status_code == 404
    )
    assert web_as(demo.ben).get(f"/invoices/{invoice.pk}/match/").status_code == 405


def test_another_clients_invoice_is_not_found(demo: Any, web_as: Any) -> None:
    invoice = stray_invoice(demo, demo.fabrikam, "FB-9")
    http = web_as(demo.ben)
    for path in ("", "file/", "match/", "dispute/", "notes/", "approve/"):
        assert http.get(f"/invoices/{invoice.pk}/{path}").status_code in (404, 405), path
        assert http.post(f"/invoices/{invoice.pk}/{path}", {}).status_code == 404, path


# --- payments ------------------------------------------------------------------------------


def approved_invoice(demo: Any) -> Invoice:
    invoice = flat_invoice(demo)
    return services.approve(demo.cara, invoice)


def test_new_batch_shows_what_goes_in_first(demo: Any, web_as: Any) -> None:
    invoice = approved_invoice(demo)
    http = web_as(demo.cara)
    assert "No payment batches yet" in http.get("/payments/").content.decode()
    assert "Approved, waiting for a batch" in http.get("/payments/").content.decode()
    query = {"client": demo.northwind.pk, "currency": "EUR", "layout": "journal"}
    preview = http.get("/payments/new/", query).content.decode()
    assert "1 approved invoice will be paid" in preview and "ST-1001" in preview
    assert "34,000.00" in preview  # net: 40,000 less 15 % commission
    assert not PaymentBatch.objects.exists()
    response = http.post("/payments/new/", {**query, "invoice": [invoice.pk]})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payments/{batch.pk}/"
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.EXPORTED and batch.layout == "journal"
    empty = http.get("/payments/new/", query).content.decode()
    assert "Nothing to pay" in empty


def test_batch_detail_files_and_mark_paid(demo: Any, web_as: Any) -> None:
    invoice = approved_invoice(demo)
    batch = services.create_batch(demo.cara, demo.northwind, currency="EUR")
    http = web_as(demo.cara)
    body = http.get(f"/payments/{batch.pk}/").content.decode()
    assert batch.number in body and "Amount to pay" in body and "34,000.00" in body
    assert "Mark paid" in body
    plain = http.get(f"/payments/{batch.pk}/file/", {"layout": "mediadesk"})
    assert plain.status_code == 200 and b"amount_to_pay" in plain.content
    journal = http.get(f"/payments/{batch.pk}/file/", {"layout": "journal"})
    assert b"account" in journal.content and b"ST-1001" in journal.content
    assert http.get(f"/payments/{batch.pk}/file/", {"layout": "x"}).status_code == 404
    assert web_as(demo.ben).post(f"/payments/{batch.pk}/paid/").status_code == 403
    assert "Mark paid" not in web_as(demo.ben).get(f"/payments/{batch.pk}/").content.decode()
    http = web_as(demo.cara)  # the test client is one browser: log cara in again
    http.post(f"/payments/{batch.pk}/paid/", {"paid_on": "2026-11-30"})
    batch.refresh_from_db()
    invoice.refresh_from_db()
    assert batch.status == BatchStatus.PAID and invoice.status == InvoiceStatus.PAID
    again = http.post(f"/payments/{batch.pk}/paid/", follow=True).content.decode()
    assert "already paid" in again
    assert batch.number in http.get("/payments/").content.decode()


def test_batches_of_other_clients_are_not_found(demo: Any, web_as: Any) -> None:
    invoice = stray_invoice(demo, demo.fabrikam, "FB-9")
    services.approve(demo.cara, invoice, override_reason="Agreed.")
    batch = services.create_batch(demo.cara, demo.fabrikam, currency="GBP")
    http = web_as(demo.ben)
    for path in ("", "file/", "paid/"):
        assert http.get(f"/payments/{batch.pk}/{path}").status_code in (404, 405)
        assert http.post(f"/payments/{batch.pk}/{path}").status_code == 404
    assert batch.number not in http.get("/payments/").content.decode()
    assert web_as(demo.ben).get("/payments/new/").status_code == 403
    assert web_as(demo.dan).get(f"/payments/{batch.pk}/").status_code == 404


# --- the close -----------------------------------------------------------------------------


def test_close_month_to_date_and_download(demo: Any, web_as: Any) -> None:
    flat_invoice(demo)
    http = web_as(demo.cara)
    url = f"/clients/{demo.northwind.pk}/close/"
    body = http.get(url, {"month": "2026-10"}).content.decode()
    assert "Month-end close: October 2026" in body
    assert "NWND-AR26 · NWND_NWND-AR26_OOH_STROER_DE_202610" in body
    assert "40,000.00" in body and "Over-invoiced" in body and "<svg" in body
    both = http.get(url, {"month": "2026-10", "basis": "both", "to_date": "1"}).content.decode()
    assert "(to date)" in both and "Planned gross" in both and "Planned net" in both
    default = http.get(url).content.decode()
    assert "Month-end close:" in default
    bad = http.get(url, {"month": "Oct"}).content.decode()
    assert "is not a month" in bad
    empty = http.get(url, {"month": "2020-01"}).content.decode()
    assert "Nothing to close for this month" in empty
    xlsx = http.get(url, {"month": "2026-10", "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert "October 2026" in str(sheet["A1"].value)


def test_close_permissions(demo: Any, web_as: Any) -> None:
    assert web_as(demo.ben).get(f"/clients/{demo.northwind.pk}/close/").status_code == 200
    assert web_as(demo.ben).get(f"/clients/{demo.fabrikam.pk}/close/").status_code == 404
    assert web_as(demo.dan).get(f"/clients/{demo.northwind.pk}/close/").status_code == 404
    creative = member(demo, Role.CREATIVE, "cleo@demo.test")
    assert web_as(creative).get(f"/clients/{demo.northwind.pk}/close/").status_code == 403


def test_campaign_page_shows_the_five_numbers_to_finance_readers(demo: Any, web_as: Any) -> None:
    flat_invoice(demo)
    campaign = demo.campaign("NWND-AR26")
    body = web_as(demo.ben).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="money-h"' in body and "Accrual to date" in body and "40,000.00" in body
    assert 'id="money-h"' not in web_as(demo.dan).get(f"/campaigns/{campaign.pk}/").content.decode()


def test_vendor_archived_is_not_offered(demo: Any, web_as: Any) -> None:
    Vendor.objects.filter(name="Joyn").update(archived_at=timezone.now())
    body = web_as(demo.cara).get("/invoices/new/").content.decode()
    assert ">Joyn<" not in body and ">Spotify<" in body
