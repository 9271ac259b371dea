"""People and a second agency for the vendor tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User
from vendors.agencies import OtherAgency, make_other_agency


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded documents (the demo's among them) go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "files"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def viewer(demo: Any) -> User:
    """Reads everything of Northwind, changes nothing."""
    user = User.objects.create_user(
        "vic@demo.test", "x", full_name="Vic Viewer", organization=demo.alice.organization
    )
    Membership.objects.create(user=user, client=demo.northwind, role=Role.VIEWER)
    return user


@pytest.fixture
def cora(demo: Any) -> User:
    """A coordinator on Contoso Mobile only: sees none of Northwind's or Fabrikam's terms."""
    user = User.objects.create_user(
        "cora@demo.test", "x", full_name="Cora Contoso", organization=demo.alice.organization
    )
    Membership.objects.create(user=user, client=demo.contoso, role=Role.COORDINATOR)
    return user


@pytest.fixture
def other_agency(demo: Any) -> OtherAgency:
    return make_other_agency()
