"""Plan diff: what changed between two versions of a media plan, read like a code review.

Lines are matched by their stable key first (a draft copied from a version keeps its keys); the
lines left over on both sides are then matched by placement code, case-insensitively, so a plan
exported and imported again (new keys, same codes) diffs as empty. Unchanged lines do not appear.

Values compare by what they mean, not how they are written: Decimal('12.5') equals
Decimal('12.50'), numbers compare by value (never with booleans), and a field missing on one side
counts as None. A renamed code is a change of the field "code" (a change of letter case alone is
not: codes match case-insensitively). The line's cost is compared too and carried as
cost_before/cost_after; a line whose only difference is its cost is changed, with no field changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal(0)


class PlanDiffError(ValueError):
    """Two plan versions that cannot be compared (a key or a code used twice in one version)."""


@dataclass(frozen=True, slots=True)
class Line:
    key: str  # stable id of a plan line across versions (kept when a draft is copied)
    code: str  # the placement code (naming convention), unique within a version
    fields: Mapping[str, object]  # str, Decimal, date, int, bool, None, lists, dicts of str->str
    cost: Decimal  # the line's gross cost in the plan currency


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: object
    after: object


@dataclass(frozen=True, slots=True)
class ChangedLine:
    key: str  # the key in the later version
    code: str  # the code in the later version
    changes: tuple[FieldChange, ...]
    cost_before: Decimal
    cost_after: Decimal

    @property
    def cost_delta(self) -> Decimal:
        return self.cost_after - self.cost_before


@dataclass(frozen=True, slots=True)
class PlanDiff:
    added: tuple[Line, ...]
    removed: tuple[Line, ...]
    changed: tuple[ChangedLine, ...]
    total_before: Decimal
    total_after: Decimal

    @property
    def total_delta(self) -> Decimal:
        return self.total_after - self.total_before

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_plans(before: Sequence[Line], after: Sequence[Line]) -> PlanDiff:
    """The lines added, removed and changed from `before` to `after`, each sorted by code."""
    _check_unique(before, "earlier")
    _check_unique(after, "later")
    before_by_key = {line.key: line for line in before}
    pairs: list[tuple[Line, Line]] = []
    unmatched_after: list[Line] = []
    for line in after:
        old = before_by_key.pop(line.key, None)
        if old is None:
            unmatched_after.append(line)
        else:
            pairs.append((old, line))
    before_by_code = {line.code.casefold(): line for line in before_by_key.values()}
    added: list[Line] = []
    for line in unmatched_after:
        old = before_by_code.pop(line.code.casefold(), None)
        if old is None:
            added.append(line)
        else:
            pairs.append((old, line))
    removed = list(before_by_code.values())

    changed: list[ChangedLine] = []
    for old, new in pairs:
        changes = _field_changes(old, new)
        if changes or not _same(old.cost, new.cost):
            changed.append(ChangedLine(new.key, new.code, changes, old.cost, new.cost))

    return PlanDiff(
        added=tuple(sorted(added, key=lambda line: _order(line.code, line.key))),
        removed=tuple(sorted(removed, key=lambda line: _order(line.code, line.key))),
        changed=tuple(sorted(changed, key=lambda line: _order(line.code, line.key))),
        total_before=sum((line.cost for line in before), ZERO),
        total_after=sum((line.cost for line in after), ZERO),
    )


def diff_as_json(diff: PlanDiff) -> dict[str, object]:
    """The diff as plain JSON values: Decimals as strings (never floats), dates ISO."""
    return {
        "added": [_line_as_json(line) for line in diff.added],
        "removed": [_line_as_json(line) for line in diff.removed],
        "changed": [
            {
                "key": line.key,
                "code": line.code,
                "changes": [
                    {
                        "field": change.field,
                        "before": _as_json(change.before),
                        "after": _as_json(change.after),
                    }
                    for change in line.changes
                ],
                "cost_before": _decimal_text(line.cost_before),
                "cost_after": _decimal_text(line.cost_after),
                "cost_delta": _decimal_text(line.cost_delta),
            }
            for line in diff.changed
        ],
        "total_before": _decimal_text(diff.total_before),
        "total_after": _decimal_text(diff.total_after),
        "total_delta": _decimal_text(diff.total_delta),
    }


def _check_unique(lines: Sequence[Line], side: str) -> None:
    keys: dict[str, int] = {}
    codes: dict[str, list[str]] = {}
    for line in lines:
        keys[line.key] = keys.get(line.key, 0) + 1
        codes.setdefault(line.code.casefold(), []).append(line.code)
    problems = []
    duplicate_keys = sorted(key for key, count in keys.items() if count > 1)
    if duplicate_keys:
        problems.append("duplicate keys " + ", ".join(repr(key) for key in duplicate_keys))
    duplicate_codes = sorted(spellings[0] for spellings in codes.values() if len(spellings) > 1)
    if duplicate_codes:
        problems.append("duplicate codes " + ", ".join(repr(code) for code in duplicate_codes))
    if problems:
        raise PlanDiffError(f"The {side} plan version has {' and '.join(problems)}.")


def _field_changes(old: Line, new: Line) -> tuple[FieldChange, ...]:
    changes: list[FieldChange] = []
    renamed = old.code.casefold() != new.code.casefold()
    if renamed and "code" not in new.fields and "code" not in old.fields:
        changes.append(FieldChange("code", old.code, new.code))
    names = list(new.fields) + [name for name in old.fields if name not in new.fields]
    for name in names:
        was, now = old.fields.get(name), new.fields.get(name)
        if not _same(was, now):
            changes.append(FieldChange(name, was, now))
    return tuple(changes)


def _same(a: object, b: object) -> bool:
    """Equal in meaning: numbers by value (12.5 == 12.50), never a bool for a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, Decimal | int) and isinstance(b, Decimal | int):
        if isinstance(a, Decimal) and isinstance(b, Decimal) and a.is_nan() and b.is_nan():
            return True
        return a == b
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[name], b[name]) for name in a)
    if type(a) is not type(b):  # a date is not a datetime, a str is not a number
        return False
    return a == b


def _order(code: str, key: str) -> tuple[str, str, str]:
    return (code.casefold(), code, key)


def _line_as_json(line: Line) -> dict[str, object]:
    return {
        "key": line.key,
        "code": line.code,
        "fields": {name: _as_json(value) for name, value in line.fields.items()},
        "cost": _decimal_text(line.cost),
    }


def _as_json(value: object) -> object:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_as_json(item) for item in value]
    if isinstance(value, Mapping):
        return {str(name): _as_json(item) for name, item in value.items()}
    return value


def _decimal_text(amount: Decimal) -> str:
    """Plain notation as typed in a spreadsheet: '100', '12.50', never '1E+2'."""
    return f"{amount:f}"
