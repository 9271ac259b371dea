"""People and a second agency for the vendor tests."""

from __future__ import annotations

from typing import Any

import pytest

from mediadesk.accounts.choices import Role
from mediadesk.accounts.models import Membership, User
from vendors.agencies import OtherAgency, make_other_agency


@pytest.fixture
def viewer(demo: Any) -> User:
    """Reads everything of Northwind, changes nothing."""
    user = User.objects.create_user(
        "vic@demo.test", "x", full_name="Vic Viewer", organization=demo.alice.organization
    )
    Membership.objects.create(user=user, client=demo.northwind, role=Role.VIEWER)
    return user


@pytest.fixture
def other_agency(demo: Any) -> OtherAgency:
    return make_other_agency()
