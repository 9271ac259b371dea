"""The audit trail: who changed what, when, from which value to which, and why.

Events are written only by ``audit.services.record`` inside the service that makes the change,
and can be neither edited nor deleted through the application.
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from mediadesk.accounts.models import ClientOwnedQuerySet
from mediadesk.audit.choices import AuditAction


class AuditEventIsPermanent(Exception):
    """Raised on any attempt to change or delete an audit event."""


class AuditEventQuerySet(ClientOwnedQuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditEventIsPermanent("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AuditEventIsPermanent("Audit events cannot be deleted.")

    def for_object(self, obj: models.Model) -> AuditEventQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text too, so the trail still reads right if the person is renamed or deactivated.
    actor_label = models.CharField(max_length=254, blank=True)
    via = models.CharField(max_length=10, default="web", help_text="web, api or cli")
    client = models.ForeignKey(
        "accounts.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditEventIsPermanent("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditEventIsPermanent("Audit events cannot be deleted.")
