"""Security settings and behaviour: deploy checks, headers, logins, sessions, tokens."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from mediadesk.accounts.models import ApiToken, LoginFailure
from mediadesk.audit.models import AuditEvent, AuditEventIsPermanent

SRC = Path(__file__).resolve().parents[1] / "src" / "mediadesk"


def run_production(
    tmp_path: Path, *args: str, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ["PATH"],
        "MEDIADESK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "media.example.com",
        "MEDIADESK_DATA_DIR": str(tmp_path),
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "-m", "mediadesk", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.mark.slow
def test_check_deploy_is_clean_in_production(tmp_path: Path) -> None:
    result = run_production(tmp_path, "manage", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_demo_logins(tmp_path: Path) -> None:
    result = run_production(tmp_path, "demo", "--no-serve")
    assert result.returncode != 0
    assert "only loaded in demo mode" in result.stderr


@pytest.mark.slow
def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    result = run_production(tmp_path, "manage", "check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.slow
def test_production_hashes_with_argon2_and_secures_cookies(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.PASSWORD_HASHERS[0], s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    result = run_production(tmp_path, "manage", "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1].split() == [
        "django.contrib.auth.hashers.Argon2PasswordHasher", "True", "True",
    ]  # fmt: skip


def test_load_demo_refuses_outside_demo_mode(db: Any, settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from mediadesk.demo import load_demo

    settings.DEMO_MODE = False
    with pytest.raises(ImproperlyConfigured, match="only in demo mode"):
        load_demo()


def test_security_headers(client: Any, db: Any) -> None:
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_scripts() -> None:
    offenders = []
    for path in SRC.rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            if 'type="application/json"' not in match.group(0):
                offenders.append(f"{path.name}: {match.group(0)}")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{path.name}: inline event handler or javascript: URL")
    assert not offenders, offenders


def test_static_assets_are_vendored(client: Any, db: Any) -> None:
    page = client.get("/login/").content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", page)
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", page):
        assert client.get(asset).status_code == 200, asset


def test_login_rotates_the_session_and_logout_ends_it(demo: Any, client: Any) -> None:
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    response = client.post("/login/", {"email": "ben@demo.test", "password": "demo"})
    assert response.status_code == 302
    after = client.session.session_key
    assert after and after != before
    assert client.get("/campaigns/").status_code == 200
    client.post("/logout/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=after).exists()
    assert client.get("/campaigns/").status_code == 302


def test_wrong_password_message(demo: Any, client: Any) -> None:
    response = client.post("/login/", {"email": "ben@demo.test", "password": "wrong"})
    assert response.status_code == 400
    assert "That e-mail and password do not match" in response.content.decode()
    assert response.context["form"]["email"].value() == "ben@demo.test"


def test_repeated_failures_are_throttled(demo: Any, client: Any, settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/login/", {"email": "ben@demo.test", "password": "guess"})
    # Even the right password is refused while throttled, and the API door is throttled too.
    response = client.post("/login/", {"email": "ben@demo.test", "password": "demo"})
    assert "Too many failed attempts" in response.content.decode()
    api = client.post(
        "/api/v1/auth/token",
        {"username": "ben@demo.test", "password": "demo"},
        content_type="application/json",
    )
    assert api.status_code == 429
    # Once the window has passed, the right password works again.
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    response = client.post("/login/", {"email": "ben@demo.test", "password": "demo"})
    assert response.status_code == 302


def test_idle_session_times_out(demo: Any, client: Any, settings: Any) -> None:
    client.post("/login/", {"email": "ben@demo.test", "password": "demo"})
    assert client.get("/campaigns/").status_code == 200
    session = client.session
    session["mediadesk_seen_at"] -= settings.SESSION_IDLE_MINUTES * 60 + 5
    session.save()
    response = client.get("/campaigns/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_absolute_session_limit(demo: Any, client: Any, settings: Any) -> None:
    client.post("/login/", {"email": "ben@demo.test", "password": "demo"})
    session = client.session
    session["mediadesk_login_at"] -= settings.SESSION_MAX_HOURS * 3600 + 5
    session.save()
    assert client.get("/campaigns/").status_code == 302


def test_password_reset_by_email(demo: Any, client: Any) -> None:
    response = client.post("/password/reset/", {"email": "ben@demo.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"}
    )
    assert done.status_code == 302
    assert client.login(username="ben@demo.test", password="a-Long-new-pass-42")


def test_tokens_are_shown_once_and_stored_hashed(demo: Any, client: Any) -> None:
    client.force_login(demo.ben)
    response = client.post("/settings/tokens/", {"name": "Looker", "days_valid": "30"})
    raw = re.search(r'value="(mdk_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=demo.ben, name="Looker")
    assert token.token_hash != raw and raw not in token.token_hash
    assert not ApiToken.objects.filter(token_hash__contains=raw[4:]).exists()
    assert raw not in client.get("/settings/tokens/").content.decode()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 200
    client.post(f"/settings/tokens/{token.pk}/revoke/")
    assert client.get("/api/v1/campaigns", headers=headers).status_code == 401
    actions = set(AuditEvent.objects.filter(actor=demo.ben).values_list("action", flat=True))
    assert {"token_created", "token_revoked"} <= actions


def test_audit_events_cannot_be_changed_or_deleted(demo: Any) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.reason = "rewritten"
    with pytest.raises(AuditEventIsPermanent):
        event.save()
    with pytest.raises(AuditEventIsPermanent):
        event.delete()
    with pytest.raises(AuditEventIsPermanent):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditEventIsPermanent):
        AuditEvent.objects.update(reason="x")


def test_ids_in_pages_are_never_grouped(demo: Any, client: Any) -> None:
    """An id of 12345 must stay 12345 in form values, not turn into 12,345."""
    from mediadesk.accounts.models import Client, Membership

    big = Client.objects.create(
        pk=12345, organization=demo.northwind.organization, name="Big Id", code="BIG"
    )
    Membership.objects.create(user=demo.ben, client=big, role="coordinator")
    client.force_login(demo.ben)
    page = client.get("/campaigns/").content.decode()
    assert 'value="12345"' in page and "12,345" not in page
