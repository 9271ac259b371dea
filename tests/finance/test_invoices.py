"""Recording invoices: the bad input of the issue, credits, approvals, batches and the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from mediadesk.cli import main
from mediadesk.errors import Conflict
from mediadesk.finance import services
from mediadesk.finance.models import Invoice, InvoiceImport, PaymentBatch
from mediadesk.finance.services import LineInput
from mediadesk.orders import services as orders
from mediadesk.orders.models import InsertionOrder, OrderLine
from mediadesk.planning.choices import PlanStatus
from mediadesk.planning.models import PlanVersion


@pytest.fixture
def booked(demo: Any) -> OrderLine:
    """An accepted IO of NWND-AR26 whose first line is a flat fee (payable as ordered)."""
    version = PlanVersion.objects.get(campaign__code="NWND-AR26", status=PlanStatus.CLIENT_APPROVED)
    made = orders.generate_orders(demo.ben, version)
    for order in made:
        orders.upload_countersigned(demo.ben, order, b"%PDF-1.4 signed", "signed.pdf")
    line = OrderLine.objects.filter(order__in=made, cost_model="flat").first()
    if line is None:  # make the first line a flat fee for the test
        line = OrderLine.objects.filter(order__in=made).first()
        assert line is not None
        line.cost_model = "flat"
        line.save()
    return line


def record(demo: Any, line: OrderLine, **changes: Any) -> Invoice:
    month = (line.start.year, line.start.month)
    values: dict[str, Any] = {
        "vendor": line.order.vendor.name,
        "number": "INV-1",
        "invoice_date": date(2026, 11, 3),
        "currency": line.order.currency,
        "total": line.cost,
        "lines": [
            LineInput(
                placement=line.code, month=month, amount=line.cost, io_number=line.order.number
            )
        ],
    }
    values.update(changes)
    return services.record_invoice(demo.cara, **values)


def test_flat_fee_billed_as_ordered_is_matched(demo: Any, booked: OrderLine) -> None:
    invoice = record(demo, booked)
    assert invoice.status == "matched"
    assert invoice.lines.get().payable == booked.cost


def test_unknown_vendor_is_refused(demo: Any, booked: OrderLine) -> None:
    with pytest.raises(ValidationError, match="not in the vendor directory"):
        record(demo, booked, vendor="Nobody Media GmbH")
    assert not Invoice.objects.exists()


def test_duplicate_number_and_same_amount_and_period(demo: Any, booked: OrderLine) -> None:
    first = record(demo, booked)
    with pytest.raises(services.DuplicateInvoice, match="INV-1"):
        record(demo, booked, number=" inv-1 ")
    with pytest.raises(services.DuplicateInvoice, match="same vendor, amount"):
        record(demo, booked, number="INV-2")
    assert list(Invoice.objects.all()) == [first]


def test_month_outside_the_order(demo: Any, booked: OrderLine) -> None:
    lines = [LineInput(placement=booked.code, month=(2027, 6), amount=booked.cost)]
    invoice = record(demo, booked, lines=lines)
    assert invoice.status == "discrepancy"
    found = invoice.lines.get().discrepancies
    assert found[0]["kind"] == "month_outside_order"
    assert "June 2027" in found[0]["message"]


def test_currency_other_than_the_orders(demo: Any, booked: OrderLine) -> None:
    invoice = record(demo, booked, currency="USD")
    kinds = {d["kind"] for d in invoice.lines.get().discrepancies}
    assert kinds == {"currency_mismatch"}


def test_credit_lines(demo: Any, booked: OrderLine) -> None:
    month = (booked.start.year, booked.start.month)
    over = record(
        demo,
        booked,
        total=booked.cost + 100,
        lines=[LineInput(placement=booked.code, month=month, amount=booked.cost + 100)],
    )
    assert over.status == "discrepancy"
    assert Decimal(over.lines.get().discrepancies[0]["amount"]) == Decimal(100)
    credit = record(
        demo,
        booked,
        number="CN-1",
        kind="credit_note",
        credit_for=over,
        total=Decimal(-100),
        lines=[LineInput(placement=booked.code, month=month, amount=Decimal(-100))],
    )
    assert credit.status == "matched"  # brings billing back to the payable
    too_much = record(
        demo,
        booked,
        number="CN-2",
        kind="credit_note",
        total=-(booked.cost * 3),
        lines=[LineInput(placement=booked.code, month=month, amount=-(booked.cost * 3))],
    )
    assert {d["kind"] for d in too_much.lines.get().discrepancies} == {"credit_exceeds_billed"}


def test_totals_that_do_not_add_up(demo: Any, booked: OrderLine) -> None:
    invoice = record(demo, booked, total=booked.cost + Decimal("10.00"))
    assert invoice.status == "discrepancy"
    assert invoice.discrepancies[0]["kind"] == "total_mismatch"
    assert invoice.lines.get().status == "matched"


def test_malformed_amounts_save_nothing(demo: Any, booked: OrderLine) -> None:
    month = (booked.start.year, booked.start.month)
    with pytest.raises(ValidationError) as caught:
        record(
            demo,
            booked,
            total=Decimal("1.005"),
            lines=[LineInput(placement="", month=month, amount=Decimal("1.005"))],
        )
    assert {"total", "lines.1.amount", "lines.1.placement"} <= set(caught.value.message_dict)
    assert not Invoice.objects.exists()


def test_only_finance_records_and_approves(demo: Any, booked: OrderLine) -> None:
    with pytest.raises(PermissionDenied, match="finance"):
        services.record_invoice(
            demo.ben,
            vendor=booked.order.vendor,
            number="X",
            invoice_date=date(2026, 11, 1),
            currency=booked.order.currency,
            total=booked.cost,
            lines=[
                LineInput(
                    placement=booked.code,
                    month=(booked.start.year, booked.start.month),
                    amount=booked.cost,
                )
            ],
        )
    invoice = record(demo, booked)
    with pytest.raises(PermissionDenied):
        services.approve(demo.ben, invoice)


def test_second_approver_above_the_limit(demo: Any, booked: OrderLine) -> None:
    settings = services.settings_for(booked.order.client_id)
    settings.second_approval_above = Decimal("1.00")
    settings.save()
    invoice = record(demo, booked)
    assert services.approve(demo.cara, invoice).status == "matched"
    with pytest.raises(Conflict, match="already approved"):
        services.approve(demo.cara, invoice)
    assert services.approve(demo.alice, invoice).status == "approved"


def test_discrepancy_needs_an_override_reason(demo: Any, booked: OrderLine) -> None:
    invoice = record(demo, booked, total=booked.cost + 1)
    with pytest.raises(ValidationError, match="discrepancies"):
        services.approve(demo.cara, invoice)
    services.dispute(demo.cara, invoice, "Total does not add up; send a corrected invoice.")
    assert invoice.status == "disputed"
    assert (
        services.approve(demo.cara, invoice, override_reason="Vendor confirmed by phone").status
        == "approved"
    )


def test_cli_import_and_payments_export(
    demo: Any, booked: OrderLine, tmp_path: Path, capsys: Any
) -> None:
    order = booked.order
    source = tmp_path / "invoices.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "vendor",
                "invoice_number",
                "invoice_date",
                "currency",
                "io_number",
                "placement",
                "month",
                "amount",
            ]
        )
        writer.writerow(
            [
                order.vendor.name,
                "CLI-1",
                "2026-11-02",
                order.currency,
                order.number,
                booked.code,
                f"{booked.start:%Y-%m}",
                str(booked.cost),
            ]
        )
    main(["invoices", "import", str(source), "--by", "cara@demo.test"])
    out = capsys.readouterr().out
    assert "CLI-1" in out and "matched" in out
    main(["invoices", "import", str(source), "--by", "cara@demo.test"])
    assert "already imported" in capsys.readouterr().out
    assert Invoice.objects.count() == 1
    kept = InvoiceImport.objects.get()
    assert kept.imported and kept.client_id == booked.order.client_id
    with kept.file.open("rb") as handle:
        assert handle.read() == source.read_bytes()
    # The same invoice in another file is a duplicate: refused, and the refusal is kept.
    again = tmp_path / "again.csv"
    again.write_text(source.read_text() + "\n")
    with pytest.raises(SystemExit, match="already recorded"):
        main(["invoices", "import", str(again), "--by", "cara@demo.test"])
    refused = InvoiceImport.objects.get(imported=False)
    assert "already recorded" in refused.problems[0]
    invoice = Invoice.objects.get(number="CLI-1")
    services.approve(demo.cara, invoice, comment="ok")
    if Invoice.objects.get(pk=invoice.pk).status != "approved":
        services.approve(demo.alice, invoice)
    target = tmp_path / "pay.csv"
    main(["payments", "export", "--client", "NWND", "--by", "cara@demo.test", "-o", str(target)])
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [r["invoice"] for r in rows] == ["CLI-1"]
    assert Decimal(rows[0]["media_gross"]) == booked.cost
    assert Decimal(rows[0]["net"]) + Decimal(rows[0]["agency_commission"]) == booked.cost
    assert PaymentBatch.objects.get().status == "exported"
    with pytest.raises(SystemExit, match="no approved invoices"):
        main(
            ["payments", "export", "--client", "NWND", "--by", "cara@demo.test", "-o", str(target)]
        )


def test_cli_refuses_a_broken_file(demo: Any, tmp_path: Path) -> None:
    source = tmp_path / "broken.csv"
    source.write_text("vendor,amount\nX,abc\n")
    with pytest.raises(SystemExit, match="nothing saved"):
        main(["invoices", "import", str(source), "--by", "cara@demo.test"])
    assert not Invoice.objects.exists()
    kept = InvoiceImport.objects.get()
    assert not kept.imported and kept.problems and kept.client is None
    # A failed import before its client is known is the uploader's alone.
    assert list(InvoiceImport.objects.visible_to(demo.cara)) == [kept]
    assert not InvoiceImport.objects.visible_to(demo.alice).exists()


def test_expired_and_replaced_links(demo: Any, booked: OrderLine) -> None:
    import time
    from unittest import mock

    order = InsertionOrder.objects.exclude(pk=booked.order_id).first()
    assert order is not None
    order.status = "draft"
    order.save()
    sent = orders.send_order(demo.ben, order, to="v@x.test", link_base="http://t/orders/answer")
    token = orders.answer_token(sent)
    later = time.time() + 15 * 86400
    with (
        mock.patch("time.time", return_value=later),
        pytest.raises(orders.LinkError, match="expired"),
    ):
        orders.order_for_token(token)
    orders.send_order(demo.ben, sent, to="v@x.test", link_base="http://t/orders/answer")
    with pytest.raises(orders.LinkError, match="replaced"):
        orders.order_for_token(token)


def test_payment_file_columns_are_documented() -> None:
    import re
    from pathlib import Path

    from mediadesk.finance.payments import JOURNAL_COLUMNS, PAYMENT_COLUMNS

    text = (Path(__file__).resolve().parents[2] / "docs" / "payments.md").read_text()
    for name, columns in (("payment", PAYMENT_COLUMNS), ("journal", JOURNAL_COLUMNS)):
        block = text.split(f"<!-- {name}-columns:start -->")[1].split(f"<!-- {name}-columns:end")[0]
        assert re.findall(r"^\| `(\w+)` \|", block, re.M) == columns


def test_attach_the_vendors_pdf_through_the_api(
    demo: Any, booked: OrderLine, api_as: Any, settings: Any, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    invoice = record(demo, booked)
    api = api_as(demo.cara)
    refused = api.http.post(
        f"/api/v1/invoices/{invoice.pk}/file",
        {"file": SimpleUploadedFile("inv.pdf", b"MZ\\x90 not a pdf")},
        headers=api.headers,
    )
    assert refused.status_code == 422 and "not a PDF" in str(refused.json())
    done = api.http.post(
        f"/api/v1/invoices/{invoice.pk}/file",
        {"file": SimpleUploadedFile("inv.pdf", b"%PDF-1.4 vendor invoice")},
        headers=api.headers,
    )
    assert done.status_code == 200 and done.json()["has_pdf"]
    assert api.get(f"/api/v1/invoices/{invoice.pk}/file").content == b"%PDF-1.4 vendor invoice"
    assert api_as(demo.dan).get(f"/api/v1/invoices/{invoice.pk}/file").status_code == 404


def test_a_number_saved_a_moment_ago_is_a_duplicate_not_a_crash(
    demo: Any, booked: OrderLine
) -> None:
    """Two people enter the same invoice at once: the second save hits the unique constraint
    after its duplicate check passed, and is answered as a duplicate."""
    from unittest import mock

    first = record(demo, booked)
    real = services._check_duplicate
    calls: list[int] = []

    def late_check(*args: Any) -> None:
        calls.append(1)
        if len(calls) > 1:  # the check after the failed save sees the other invoice
            real(*args)

    with (
        mock.patch.object(services, "_check_duplicate", side_effect=late_check),
        pytest.raises(services.DuplicateInvoice),
    ):
        record(demo, booked, total=booked.cost + 1)
    assert len(calls) == 2
    assert list(Invoice.objects.all()) == [first]
