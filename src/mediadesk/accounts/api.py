from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status

from mediadesk.accounts.services import LoginRefused, LoginThrottled, check_login, create_token

router = Router(tags=["auth"])


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
