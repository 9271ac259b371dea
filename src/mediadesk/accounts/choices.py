from django.db import models


class Role(models.TextChoices):
    """What a membership lets a person do on one client (see accounts/permissions.py)."""

    ADMIN = "admin", "Client admin"
    COORDINATOR = "coordinator", "Coordinator"
    CREATIVE = "creative", "Creative"
    FINANCE = "finance", "Finance"
    LEGAL = "legal", "Legal"
    VIEWER = "viewer", "Viewer"
    CLIENT_REVIEWER = "client_reviewer", "Client reviewer"
