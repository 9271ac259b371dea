from django.db import models


class VendorKind(models.TextChoices):
    """What sort of business a vendor is (publisher, station group, platform, …)."""

    PUBLISHER = "publisher", "Publisher"
    BROADCASTER = "broadcaster", "Broadcaster"
    NETWORK = "network", "Network"
    PLATFORM = "platform", "Platform"
    CREATOR = "creator", "Creator / influencer"
    PRODUCTION = "production", "Production company"
    OTHER = "other", "Other"


class PaymentTerms(models.TextChoices):
    """Days after the invoice date the vendor expects payment."""

    NET_30 = "net_30", "Net 30"
    NET_45 = "net_45", "Net 45"
    NET_60 = "net_60", "Net 60"
    NET_90 = "net_90", "Net 90"


class DocumentKind(models.TextChoices):
    """What a vendor document is: the paperwork a coordinator or finance keeps on file."""

    CONTRACT = "contract", "Contract"
    TAX_FORM = "tax_form", "Tax form"
    INSURANCE = "insurance", "Insurance certificate"
    OTHER = "other", "Other"


class DocumentExpiry(models.TextChoices):
    """Where a document stands against its expiry date (worked out, never stored)."""

    NO_EXPIRY = "no_expiry", "Does not expire"
    VALID = "valid", "Valid"
    EXPIRING = "expiring", "Expires soon"
    EXPIRED = "expired", "Expired"
