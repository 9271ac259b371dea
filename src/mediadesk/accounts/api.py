from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from mediadesk.accounts.models import Brand, Client, ClientQuerySet
from mediadesk.accounts.services import LoginRefused, LoginThrottled, check_login, create_token

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
