"""A client's matching tolerances, approval limit and accounts in words, as a coordinator needs
them: the settings page and the client's settings page both say them this way."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from mediadesk.domain.costmodels import COST_MODEL_LABELS
from mediadesk.domain.money import CURRENCY_MINOR_UNITS, format_amount
from mediadesk.finance.models import FinanceSettings
from mediadesk.finance.services import TOLERANCE_NAMES, tolerance_applies


def percent(value: Any) -> str:
    """5.00 -> "5", 2.50 -> "2.5" (a percentage as people write it)."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    return format(number.normalize(), "f") if number else "0"


def cents(units: Any, currency: str) -> str:
    """5 -> "5 cents (0.05 EUR)"; for a currency without cents, "5 minor units (5 JPY)"."""
    count = int(units)
    places = CURRENCY_MINOR_UNITS.get(currency, 2)
    if places == 2:
        unit = "cent" if count == 1 else "cents"
    else:
        unit = "minor unit" if count == 1 else "minor units"
    money = format_amount(Decimal(count).scaleb(-places), places)
    return f"{count} {unit} ({money} {currency})"


def rounding_sentence(units: Any, currency: str) -> str:
    return f"Differences up to {cents(units, currency)} are rounding, not a discrepancy."


def grp_sentence(value: Any) -> str:
    return f"A CPP buy delivering within {percent(value)}% of its GRPs is paid as ordered."


def delivery_sentence(value: Any) -> str:
    if not Decimal(str(value)):
        return "Over-delivery is not paid: a buy is paid at most its ordered cost."
    return f"Over-delivery is paid up to {percent(value)}% above the ordered cost."


@dataclass(frozen=True)
class Cell:
    """One tolerance of one cost model: its value for the model and whether it is the model's
    own (an override) or the client's general value."""

    model: str
    name: str
    value: str
    own: bool
    general: str


@dataclass(frozen=True)
class ModelRow:
    model: str
    label: str
    cells: list[Cell | None]  # None: the tolerance does not apply to the model


@dataclass(frozen=True)
class SettingsText:
    rounding: str
    grp: str
    delivery: str
    exceptions: list[tuple[str, list[str]]]  # (cost model, its own sentences)
    approval: str
    accounts: str
    rows: list[ModelRow]
    override_count: int


def general_values(found: FinanceSettings) -> dict[str, str]:
    """The client's general tolerances as shown (and as the cells left blank use them)."""
    return {
        "rounding_units": str(found.rounding_units),
        "grp_percent": percent(found.grp_percent),
        "delivery_percent": percent(found.delivery_percent),
    }


def overrides_words(value: Any) -> str:
    """Stored overrides in words, for the history: "CPM: rounding 10 cents; CPP: GRP tolerance
    10%" (in the order of the cost models, whatever order they were stored in)."""
    if not isinstance(value, dict) or not value:
        return "—"
    labels = {model.value: label for model, label in COST_MODEL_LABELS.items()}
    order = list(labels)
    parts = []
    for model in sorted(value, key=lambda key: (order.index(key) if key in order else 99, key)):
        entry = value[model]
        label = labels.get(model, model)
        if not isinstance(entry, dict):
            parts.append(f"{label}: {entry}")
            continue
        values = [
            f"{TOLERANCE_NAMES.get(name, name)} "
            + (f"{shown} cents" if name == "rounding_units" else f"{percent(shown)}%")
            for name, shown in sorted(
                entry.items(),
                key=lambda item: (
                    list(TOLERANCE_NAMES).index(item[0]) if item[0] in TOLERANCE_NAMES else 9
                ),
            )
        ]
        parts.append(f"{label}: {', '.join(values)}")
    return "; ".join(parts)


def describe(found: FinanceSettings, currency: str) -> SettingsText:
    """``found`` (saved or the defaults) in words; ``currency`` gives the rounding an example."""
    general = general_values(found)
    overrides = found.overrides if isinstance(found.overrides, dict) else {}
    rows: list[ModelRow] = []
    exceptions: list[tuple[str, list[str]]] = []
    count = 0
    for model, label in COST_MODEL_LABELS.items():
        entry = overrides.get(model.value)
        entry = entry if isinstance(entry, dict) else {}
        cells: list[Cell | None] = []
        sentences: list[str] = []
        for name in TOLERANCE_NAMES:
            if not tolerance_applies(model.value, name):
                cells.append(None)
                continue
            own = entry.get(name) not in (None, "")
            if not own:
                shown = general[name]
            elif name == "rounding_units":
                shown = str(entry[name])
            else:
                shown = percent(entry[name])
            cells.append(Cell(model.value, name, shown, own, general[name]))
            if own:
                count += 1
                if name == "rounding_units":
                    sentences.append(rounding_sentence(entry[name], currency))
                elif name == "grp_percent":
                    sentences.append(grp_sentence(entry[name]))
                else:
                    sentences.append(delivery_sentence(entry[name]))
        rows.append(ModelRow(model.value, label, cells))
        if sentences:
            exceptions.append((label, sentences))
    limit = found.second_approval_above
    approval = (
        "No invoice needs a second approver."
        if limit is None
        else f"Invoices above {format_amount(limit)} (in the invoice's currency) need a second "
        "finance approver."
    )
    centre = f", cost centre {found.cost_centre}" if found.cost_centre else ""
    accounts = (
        f"Payment files book invoices to expense account {found.expense_account} and accounts "
        f"payable {found.payable_account}{centre}."
    )
    return SettingsText(
        rounding=rounding_sentence(found.rounding_units, currency),
        grp=grp_sentence(found.grp_percent),
        delivery=delivery_sentence(found.delivery_percent),
        exceptions=exceptions,
        approval=approval,
        accounts=accounts,
        rows=rows,
        override_count=count,
    )
