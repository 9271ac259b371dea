"""Shared fixtures: the demo agency, its people, and API clients that carry a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient

from mediadesk.accounts.models import Client, User
from mediadesk.accounts.services import create_token
from mediadesk.demo import load_demo
from mediadesk.planning.models import Campaign


@dataclass
class Demo:
    alice: User
    ben: User
    cara: User
    dan: User
    northwind: Client
    contoso: Client
    fabrikam: Client

    def campaign(self, code: str) -> Campaign:
        return Campaign.objects.get(code=code)


@pytest.fixture
def demo(db: Any) -> Demo:
    load_demo()
    users = {u.email.split("@")[0]: u for u in User.objects.all()}
    clients = {c.code: c for c in Client.objects.all()}
    return Demo(
        alice=users["alice"],
        ben=users["ben"],
        cara=users["cara"],
        dan=users["dan"],
        northwind=clients["NWND"],
        contoso=clients["CTSO"],
        fabrikam=clients["FBRK"],
    )


class ApiClient:
    """A test client that sends a real personal token, as an API user would."""

    def __init__(self, user: User | None) -> None:
        self.http = HttpClient()
        self.headers: dict[str, str] = {}
        if user is not None:
            raw = create_token(user, name="tests").raw
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(path, params, headers=self.headers)

    def post(self, path: str, data: Any) -> Any:
        return self.http.post(path, data, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data: Any) -> Any:
        return self.http.patch(path, data, content_type="application/json", headers=self.headers)

    def request(self, method: str, path: str, data: Any = None) -> Any:
        return getattr(self.http, method.lower())(
            path, data or {}, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def api_as() -> Any:
    return ApiClient


@pytest.fixture
def web_as(client: HttpClient) -> Any:
    def login(user: User) -> HttpClient:
        client.force_login(user)
        return client

    return login
