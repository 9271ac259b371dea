"""Reading a list page's filter form: a filter that does not make sense is ignored, with a
sentence saying so, and the others still apply (a bad date never empties the whole list)."""

from __future__ import annotations

from typing import Any

from django import forms


def filter_values(form: forms.Form) -> tuple[dict[str, Any], list[str]]:
    """The cleaned value of every valid filter, and a sentence for each ignored one."""
    problems = []
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label or name.capitalize() if name in form.fields else name
            problems.append(f"Filter “{label}” ignored: {' '.join(str(e) for e in errors)}")
    values = {name: form.cleaned_data.get(name) for name in form.fields if name not in form.errors}
    return values, problems
