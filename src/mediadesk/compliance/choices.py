from django.db import models

from mediadesk.domain.rules import CATEGORIES


class Severity(models.TextChoices):
    """The same severities as ``domain.rules.Severity``."""

    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    BLOCKING = "blocking", "Blocking"


class Category(models.TextChoices):
    """Regulated product categories a client's rules may depend on (``domain.rules.CATEGORIES``)."""

    ALCOHOL = "alcohol", "Alcohol"
    GAMBLING = "gambling", "Gambling"
    FINANCIAL = "financial", "Financial products"
    INVESTMENT = "investment", "Investments"
    CRYPTO = "crypto", "Crypto-assets"
    CREDIT = "credit", "Credit and loans"
    PHARMA = "pharma", "Prescription medicine"
    MEDICAL = "medical", "Medical devices and health claims"
    TOBACCO = "tobacco", "Tobacco and vaping"
    HFSS = "hfss", "Food high in fat, sugar or salt"
    CHILDREN = "children", "Products for children"
    DATING = "dating", "Dating"
    FIREARMS = "firearms", "Firearms"
    POLITICAL = "political", "Political and issue ads"
    WEIGHT_LOSS = "weight_loss", "Weight loss"


if set(Category.values) != set(CATEGORIES):  # pragma: no cover - the engine gained a category
    raise RuntimeError("compliance.choices.Category and domain.rules.CATEGORIES differ.")
