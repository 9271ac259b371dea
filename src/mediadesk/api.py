"""The public JSON API under /api/v1 (django-ninja). Each area adds its router here.

Errors are always ``{"detail": ...}``: a sentence for 401/403/404/409, and for 422 a list of
``{"field": ..., "message": ...}`` so a client program knows which field to fix.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from mediadesk.accounts.services import user_for_token
from mediadesk.errors import Conflict


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="mediadesk API",
    version="1",
    description=(
        "Campaigns, plans, bookings, delivery and money of a mediadesk organization. "
        "Get a token with POST /api/v1/auth/token and send it as `Authorization: Bearer <token>`."
    ),
    auth=BearerToken(),
    urls_namespace="api",
)


def _field_errors(error: ValidationError) -> list[dict[str, str]]:
    if hasattr(error, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, errors in error.message_dict.items()
            for message in errors
        ]
    return [{"field": "__all__", "message": message} for message in error.messages]


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": _field_errors(exc)}, status=422)


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "end") -> "end"; ("query", "status") -> "status"
        field = ".".join(location[2:] if location[:1] == ["body"] else location[1:]) or "__all__"
        detail.append({"field": field, "message": str(error.get("msg", "is not valid"))})
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": "Send a valid API token: Authorization: Bearer <token>."},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


def _register_routers() -> None:
    from mediadesk.accounts.api import clients_router
    from mediadesk.accounts.api import router as accounts_router
    from mediadesk.compliance.api import router as compliance_router
    from mediadesk.creative.api import router as creative_router
    from mediadesk.delivery.api import router as delivery_router
    from mediadesk.finance.api import router as finance_router
    from mediadesk.orders.api import router as orders_router
    from mediadesk.planning.api import router as planning_router
    from mediadesk.vendors.api import router as vendors_router
    from mediadesk.work.api import router as attention_router
    from mediadesk.work.notification_api import router as notifications_router
    from mediadesk.work.report_api import router as status_reports_router
    from mediadesk.work.task_api import router as tasks_router

    api.add_router("/", accounts_router)
    api.add_router("/", clients_router)
    api.add_router("/", planning_router)
    api.add_router("/", delivery_router)
    api.add_router("/", vendors_router)
    api.add_router("/", orders_router)
    api.add_router("/", finance_router)
    api.add_router("/", creative_router)
    api.add_router("/", compliance_router)
    api.add_router("/", attention_router)
    api.add_router("/", notifications_router)
    api.add_router("/", status_reports_router)
    api.add_router("/", tasks_router)


_register_routers()
