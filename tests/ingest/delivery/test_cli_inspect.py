"""``mediadesk inspect FILE [--json]`` in a subprocess: no Django, no database, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
KEYWORDS = SHARED / "data" / "real-exports" / "google_ads" / "search_keyword_report.csv"
GOOGLE = (
    "Campaign report\n"
    '"May 1, 2025 - May 2, 2025"\n'
    "Day,Campaign,Currency code,Impr.,Clicks,Cost,Conversions\n"
    '2025-05-01,Brand,USD,"1,000",10,12.50,1.00\n'
    "2025-05-02,Brand,USD,500,5,7.50,0.50\n"
    ',Total: Account,USD,"1,500",15,20.00,1.50\n'
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # Without settings or a reachable database: inspect must not need either.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDIADESK_", "DJANGO_"))}
    env["DATABASE_URL"] = "postgres://nobody@db.invalid:1/nothing"
    return subprocess.run(
        [sys.executable, "-m", "mediadesk", "inspect", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_json(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(GOOGLE)
    result = run(path, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "platform": "google_ads",
        "report": "campaign",
        "rows": 2,
        "date_from": "2025-05-01",
        "date_to": "2025-05-02",
        "currency": "USD",
        "totals": {"impressions": 1500, "clicks": 15, "spend": "20", "conversions": "1.5"},
        "warnings": [],
    }


def test_human_readable(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(GOOGLE)
    result = run(path)
    assert result.returncode == 0, result.stderr
    assert "google_ads campaign report" in result.stdout
    assert "1 total/footer rows not counted" in result.stdout
    assert "2025-05-01 to 2025-05-02" in result.stdout


def test_real_keyword_report() -> None:
    if not KEYWORDS.exists():
        pytest.skip(f"{KEYWORDS} is absent (the shared folder sits beside the repository root)")
    result = run(KEYWORDS, "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["rows"] == 3_074
    assert shown["totals"] == {
        "impressions": 1_594_393,
        "clicks": 131_537,
        "spend": "237661.61",
        "conversions": "6050.04",
    }


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.csv", b"", "is empty"),
        ("header.csv", b"Day,Campaign,Impr.,Clicks,Cost\n", "no data rows"),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "photo.csv"),
        ("odd.csv", b"Colour,Flavour,Size\nred,sweet,3\n", "Colour, Flavour, Size"),
        ("missing.csv", None, "cannot be read"),
    ],
)
def test_unreadable_files_exit_2_with_one_line(
    tmp_path: Path, name: str, content: bytes | None, says: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    for args in ((path,), (path, "--json")):
        result = run(*args)
        assert result.returncode == 2
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert says in lines[0]
        assert "Traceback" not in result.stderr
