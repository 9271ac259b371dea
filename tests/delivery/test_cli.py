"""mediadesk delivery import / rollback."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mediadesk.cli import main
from mediadesk.delivery.models import DeliveryFact, DeliveryImport

from .exports import SEARCH, daily, google_ads


def test_cli_import_twice_and_rollback(demo: Any, tmp_path: Path, capsys: Any) -> None:
    campaign = demo.campaign("CTSO-5G26")
    export = tmp_path / "google.csv"
    export.write_bytes(
        google_ads(daily(date(2026, 10, 5), 3, SEARCH) + daily(date(2026, 10, 5), 1, "Other"))
    )
    main(
        [
            "delivery",
            "import",
            str(export),
            "--campaign",
            str(campaign.pk),
            "--by",
            "alice@demo.test",
        ]
    )
    out = capsys.readouterr().out
    assert "Imported 4 rows of google_ads" in out and "3 matched" in out and "1 waiting" in out
    main(["delivery", "import", str(export), "--campaign", "CTSO-5G26", "--by", "alice@demo.test"])
    assert "already imported" in capsys.readouterr().out
    assert DeliveryImport.objects.count() == 1
    upload = DeliveryImport.objects.get()
    main(["delivery", "rollback", str(upload.pk), "--by", "alice@demo.test"])
    assert not DeliveryFact.objects.exists() and not DeliveryImport.objects.exists()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"")
    with pytest.raises(SystemExit, match=r"Not imported, nothing changed: broken\.csv is empty"):
        main(
            [
                "delivery",
                "import",
                str(broken),
                "--campaign",
                "CTSO-5G26",
                "--by",
                "alice@demo.test",
            ]
        )
    with pytest.raises(SystemExit, match="sees no campaign"):
        main(
            ["delivery", "import", str(export), "--campaign", "CTSO-5G26", "--by", "dan@demo.test"]
        )


def test_cli_refuses_a_mapping_that_is_not_json(demo: Any, tmp_path: Path) -> None:
    export = tmp_path / "log.csv"
    export.write_bytes(b"Air date,Station,Cost\r\n2026-10-05,NBC,100.00\r\n")
    base = ["delivery", "import", str(export), "--campaign", "CTSO-5G26", "--by", "alice@demo.test"]
    with pytest.raises(SystemExit, match=r"--mapping is not JSON"):
        main([*base, "--mapping", "{date: Air date"])
    with pytest.raises(SystemExit, match=r"must be a JSON object"):
        main([*base, "--mapping", '["Air date"]'])
    with pytest.raises(SystemExit, match=r"metric"):
        main([*base, "--mapping", '{"date": "Air date"}'])
    assert not DeliveryImport.objects.exists()
