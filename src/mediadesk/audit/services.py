"""Writing the audit trail. Every service that changes state calls ``record`` in its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from mediadesk.audit.choices import AuditAction
from mediadesk.audit.models import AuditEvent

Changes = dict[str, list[Any]]

# Which door a change came through (web, api, cli); set once per request or command.
_channel: ContextVar[str] = ContextVar("mediadesk_audit_channel", default="web")


@contextmanager
def channel(name: str) -> Iterator[None]:
    token = _channel.set(name)
    try:
        yield
    finally:
        _channel.reset(token)


def as_json_value(value: Any) -> Any:
    """Decimals stay exact as text; dates become ISO; related rows become their id."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [as_json_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): as_json_value(item) for key, item in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` now, JSON-ready (foreign keys by id)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        value = getattr(obj, attname)
        if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
            # 500000 and 500000.00 are the same budget; record them the same way.
            value = value.quantize(Decimal(1).scaleb(-(field.decimal_places or 0)))
        values[name] = as_json_value(value)
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """{field: [before, after]} for the fields whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def record(
    *,
    actor: Any,
    obj: models.Model,
    action: AuditAction,
    changes: Changes | None = None,
    reason: str = "",
    client_id: int | None = None,
    outsider: str = "",
) -> AuditEvent:
    """One audit event. ``outsider`` names someone without an account who acted through a
    signed link (a vendor answering an IO), shown instead of "system"."""
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_user,
        actor_label=actor_user.email if actor_user else (outsider[:200] or "system"),
        via=_channel.get(),
        client_id=client_id if client_id is not None else getattr(obj, "client_id", None),
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        action=action,
        changes=changes or {},
        reason=reason,
    )
