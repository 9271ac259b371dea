"""House rules that the code layout itself must keep (DESIGN.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mediadesk"
PURE = ["domain", "ingest"]
APP_LAYOUT = ["models.py", "choices.py", "services.py", "views.py", "api.py", "forms.py", "urls.py"]
AREAS = ["accounts", "planning", "delivery", "vendors", "work"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", PURE)
def test_pure_core_never_imports_django(package: str) -> None:
    offenders = []
    for path in sorted((SRC / package).rglob("*.py")):
        for module in imported_modules(path):
            framework = module == "django" or module.startswith(("django.", "ninja"))
            # The pure core may use itself (and ingest may use domain), nothing else of ours.
            outside_core = module.startswith("mediadesk.") and not module.startswith(
                (f"mediadesk.{package}", "mediadesk.domain")
            )
            if framework or outside_core:
                offenders.append(f"{path.relative_to(SRC)} imports {module}")
    assert not offenders, "\n".join(offenders)


def test_pure_core_imports_without_django_loaded() -> None:
    """Importing every pure module leaves django out of sys.modules (catches indirect imports)."""
    modules = [
        "mediadesk." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        for package in PURE
        for path in sorted((SRC / package).rglob("*.py"))
    ]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "leaked = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(leaked))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"Django was imported: {result.stdout}"


@pytest.mark.parametrize("area", AREAS)
def test_every_area_has_the_same_layout(area: str) -> None:
    missing = [name for name in APP_LAYOUT if not (SRC / area / name).exists()]
    assert not missing, f"{area} lacks {missing}"
    assert (SRC / area / "templates" / area).is_dir()


def test_status_values_are_text_choices() -> None:
    """Status fields use TextChoices from choices.py, never loose strings."""
    from django.apps import apps
    from django.db import models

    loose = []
    for model in apps.get_models():
        if not model.__module__.startswith("mediadesk."):
            continue
        for field in model._meta.get_fields():
            is_status = isinstance(field, models.CharField) and field.name in {
                "status", "role", "action",
            }  # fmt: skip
            if is_status and not field.choices:
                loose.append(f"{model.__name__}.{field.name}")
    assert not loose
