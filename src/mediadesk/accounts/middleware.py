"""Idle and absolute session time-outs (MEDIADESK_SESSION_IDLE_MINUTES / _MAX_HOURS)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LOGIN_AT = "mediadesk_login_at"
SEEN_AT = "mediadesk_seen_at"


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith("/api/"):
            now = time.time()
            login_at = request.session.get(LOGIN_AT, now)
            seen_at = request.session.get(SEEN_AT, now)
            idle = now - seen_at > settings.SESSION_IDLE_MINUTES * 60
            too_old = now - login_at > settings.SESSION_MAX_HOURS * 3600
            if idle or too_old:
                logout(request)
                messages.info(request, "Your session ended; please log in again.")
            else:
                request.session.setdefault(LOGIN_AT, now)
                # Write the session at most once a minute, not on every request.
                if now - seen_at > 60 or SEEN_AT not in request.session:
                    request.session[SEEN_AT] = now
        return self.get_response(request)
