from django.db import models


class InvoiceStatus(models.TextChoices):
    """received → matched or discrepancy → disputed → approved → exported → paid."""

    RECEIVED = "received", "Received"
    MATCHED = "matched", "Matched"
    DISCREPANCY = "discrepancy", "Discrepancy"
    DISPUTED = "disputed", "Disputed"
    APPROVED = "approved", "Approved"
    EXPORTED = "exported", "Exported"
    PAID = "paid", "Paid"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceSource(models.TextChoices):
    FORM = "form", "Entered by hand"
    IMPORT = "import", "Imported file"
    API = "api", "API"


class LineStatus(models.TextChoices):
    UNMATCHED = "unmatched", "Not matched yet"
    MATCHED = "matched", "Matched"
    DISCREPANCY = "discrepancy", "Discrepancy"


class BatchStatus(models.TextChoices):
    EXPORTED = "exported", "Exported"
    PAID = "paid", "Paid"


class ExportLayout(models.TextChoices):
    """The payment file layouts (documented in docs/payments.md)."""

    MEDIADESK = "mediadesk", "mediadesk payment CSV"
    JOURNAL = "journal", "ERP journal CSV"
