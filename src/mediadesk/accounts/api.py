from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import Brand, Client, ClientQuerySet, FxRate
from mediadesk.accounts.permissions import Action, require
from mediadesk.accounts.services import (
    LoginRefused,
    LoginThrottled,
    check_login,
    create_token,
    remove_fx_rate,
    set_fx_rate,
)

router = Router(tags=["auth"])
clients_router = Router(tags=["clients"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class Detail(Schema):
    detail: str


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: Detail, 429: Detail},
    summary="Exchange an e-mail and password for a personal API token",
)
def obtain_token(request: HttpRequest, payload: TokenRequest) -> Status[dict[str, str]]:
    try:
        user = check_login(request, payload.username, payload.password)
    except LoginThrottled as exc:
        return Status(429, {"detail": str(exc)})
    except LoginRefused as exc:
        return Status(401, {"detail": str(exc)})
    if not user.is_active:
        raise PermissionDenied("This account is deactivated.")
    issued = create_token(user, name="API login")
    return Status(200, {"token": issued.raw})


# --- Clients and their brands (read-only; changes go through Settings or the CLI) -------------


class BrandOut(Schema):
    id: int
    name: str
    archived: bool = Field(validation_alias="is_archived")


class ClientOut(Schema):
    id: int
    name: str
    code: str
    default_currency: str
    archived: bool = Field(validation_alias="is_archived")
    brands: list[BrandOut]


def _clients(request: HttpRequest) -> ClientQuerySet:
    # One extra query brings every listed client's brands, however many clients there are.
    return Client.objects.visible_to(request.user).prefetch_related(
        Prefetch("brands", queryset=Brand.objects.order_by("name"))
    )


@clients_router.get("/clients", response=list[ClientOut], summary="List clients")
@paginate(LimitOffsetPagination)
def list_clients(request: HttpRequest, archived: bool | None = None) -> ClientQuerySet:
    """The clients you may see, with their brands; ``archived`` narrows to (not) archived ones."""
    clients = _clients(request)
    if archived is not None:
        clients = clients.filter(archived_at__isnull=not archived)
    return clients.order_by("name", "id")


@clients_router.get("/clients/{client_id}", response=ClientOut, summary="One client")
def get_client(request: HttpRequest, client_id: int) -> Client:
    return get_object_or_404(_clients(request), pk=client_id)


# --- FX rates: per client and month, for converting placements in other currencies ------------


class FxRateOut(Schema):
    id: int
    month: str = Field(validation_alias="month_key", description="Year and month, e.g. 2026-10.")
    currency_from: str
    currency_to: str
    rate: Decimal = Field(description="1 currency_from is worth this many currency_to.")
    updated_at: datetime


class FxRateIn(Schema):
    month: str = Field(description="Year and month, e.g. 2026-10.", examples=["2026-10"])
    currency_from: str = Field(examples=["USD"])
    currency_to: str = Field(examples=["EUR"])
    rate: Decimal = Field(description="1 currency_from is worth this many currency_to.")
    reason: str = Field("", description="Why, for the audit trail.")


def _client_for_rates(request: HttpRequest, client_id: int) -> Client:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    require(request.user, Action.VIEW_FINANCE, client.pk)
    return client


@clients_router.get(
    "/clients/{client_id}/fx-rates",
    response=list[FxRateOut],
    tags=["fx rates"],
    summary="The client's FX rates, newest month first",
)
def list_fx_rates(request: HttpRequest, client_id: int) -> list[FxRate]:
    client = _client_for_rates(request, client_id)
    return list(FxRate.objects.visible_to(request.user).filter(client=client))


@clients_router.put(
    "/clients/{client_id}/fx-rates",
    response=FxRateOut,
    tags=["fx rates"],
    summary="Enter or change the rate of a currency pair for a month",
)
def put_fx_rate(request: HttpRequest, client_id: int, payload: FxRateIn) -> FxRate:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    return set_fx_rate(
        request.user,
        client,
        payload.month,
        payload.currency_from,
        payload.currency_to,
        payload.rate,
        reason=payload.reason,
    )


@clients_router.delete(
    "/clients/{client_id}/fx-rates/{fx_rate_id}",
    response={204: None},
    tags=["fx rates"],
    summary="Remove a rate entered by mistake (refused while a placement converts with it)",
)
def delete_fx_rate(request: HttpRequest, client_id: int, fx_rate_id: int) -> Status[None]:
    client = get_object_or_404(Client.objects.visible_to(request.user), pk=client_id)
    fx = get_object_or_404(
        FxRate.objects.visible_to(request.user).select_related("client"),
        pk=fx_rate_id,
        client=client,
    )
    remove_fx_rate(request.user, fx)
    return Status(204, None)
