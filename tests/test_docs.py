"""The documentation tells the truth: these tests compare it with the code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mediadesk.accounts.choices import Role
from mediadesk.accounts.permissions import matrix

DOCS = Path(__file__).resolve().parents[1] / "docs"
README = Path(__file__).resolve().parents[1] / "README.md"


def matrix_markdown() -> str:
    lines = ["| What | " + " | ".join(str(role.label) for role in Role) + " |"]
    lines.append("|---" * (len(Role) + 1) + "|")
    for label, allowed in matrix():
        lines.append(f"| {label} | " + " | ".join("yes" if a else "—" for a in allowed) + " |")
    return "\n".join(lines)


def test_permission_matrix_in_docs_matches_the_code() -> None:
    text = (DOCS / "permissions.md").read_text()
    documented = text.split("<!-- matrix:start -->\n")[1].split("\n<!-- matrix:end -->")[0]
    assert documented == matrix_markdown(), "Regenerate the table in docs/permissions.md"


def test_every_api_route_is_documented(client: Any, db: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    text = (DOCS / "api.md").read_text()
    for path, operations in schema["paths"].items():
        documented_path = re.sub(r"\{\w+\}", "{id}", path)
        for method in operations:
            if path == "/api/v1/auth/token":
                assert "POST /api/v1/auth/token" in text
                continue
            assert f"`{method.upper()} {documented_path}`" in text, f"{method} {path}"


def test_readme_documents_every_cli_command() -> None:
    from mediadesk.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    readme = README.read_text()
    missing = [name for name in commands if f"mediadesk {name}" not in readme]
    assert not missing, f"README does not mention: {missing}"


def test_readme_names_the_demo_logins() -> None:
    from mediadesk.demo import DEMO_PASSWORD, DEMO_USERS

    readme = README.read_text()
    for email, _ in DEMO_USERS:
        assert email in readme
    assert f"`{DEMO_PASSWORD}`" in readme
