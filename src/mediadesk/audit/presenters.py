"""The audit trail as a person reads it: field labels, choice labels, names, natural dates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from mediadesk.audit.models import AuditEvent
from mediadesk.domain.money import format_amount


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EventView:
    event: AuditEvent
    who: str
    rows: list[ChangeRow]


def readable_history(events: Iterable[AuditEvent], model: type[models.Model]) -> list[EventView]:
    """Events with every value shown the way the form shows it (one query per related model)."""
    events = list(events)
    names = _related_names(events, model)
    return [
        EventView(
            event=event,
            who=event.actor.display_name if event.actor else event.actor_label,
            rows=[
                ChangeRow(
                    label=_label(model, field),
                    before=_show(model, field, pair[0], names),
                    after=_show(model, field, pair[1], names),
                )
                for field, pair in event.changes.items()
            ],
        )
        for event in events
    ]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    try:
        field = model._meta.get_field(name)
    except Exception:  # a change key that is not a model field, e.g. "archived"
        return None
    return field if isinstance(field, models.Field) else None


def _label(model: type[models.Model], name: str) -> str:
    field = _field(model, name)
    label = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _related_names(
    events: list[AuditEvent], model: type[models.Model]
) -> dict[tuple[str, Any], str]:
    wanted: dict[str, set[Any]] = {}
    for event in events:
        for name, pair in event.changes.items():
            field = _field(model, name)
            if field is not None and field.is_relation:
                wanted.setdefault(name, set()).update(v for v in pair if v is not None)
    names: dict[tuple[str, Any], str] = {}
    for name, ids in wanted.items():
        field = _field(model, name)
        assert field is not None and field.related_model is not None
        related: Any = field.related_model
        for obj in related._base_manager.filter(pk__in=ids):
            names[(name, obj.pk)] = str(obj)
    return names


def _show(
    model: type[models.Model], name: str, value: Any, names: dict[tuple[str, Any], str]
) -> str:
    if value is None or value == "" or value == []:
        return "—"
    field = _field(model, name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field is not None and field.is_relation:
        return names.get((name, value), f"#{value}")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateField):
        day = date.fromisoformat(value)
        return f"{day.day} {day:%b %Y}"
    if isinstance(field, models.DecimalField):
        try:
            return format_amount(Decimal(value), field.decimal_places or 0)
        except InvalidOperation:
            return str(value)
    if isinstance(value, list):
        # A list of choice values (e.g. objectives) names its choices in `audit_list_choices`.
        choices = getattr(model, "audit_list_choices", {}).get(name)
        labels = dict(choices.choices) if choices is not None else {}
        return ", ".join(
            str(labels[item]) if isinstance(item, str) and item in labels else _show_item(item)
            for item in value
        )
    return str(value)


def _show_item(item: Any) -> str:
    if isinstance(item, dict) and {"kpi", "target"} <= set(item):
        return f"{str(item['kpi']).upper()} {item['target']}"
    return str(item).replace("_", " ")
