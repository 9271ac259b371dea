from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mediadesk.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: audit events can be looked at, never changed or removed."""

    list_display = ["at", "actor_label", "via", "action", "object_repr", "client"]
    list_filter = ["action", "via"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
