"""Who is calling. AUTH_MODE decides: `api_key` (Bearer keys) or `gateway`."""

from django.conf import settings
from rest_framework import authentication, exceptions

from core.request_id import set_log_context
from core.roles import Role
from workspaces.principals import Principal
from workspaces.selectors import principal_for_key

BEARER_REALM = 'Bearer realm="api"'
USER_ID_HEADER = "X-User-Id"
USER_ROLE_HEADER = "X-User-Role"
MAX_USER_ID_LENGTH = 200


class ConfiguredAuthentication(authentication.BaseAuthentication):
    """The mode is read per request, so one class serves both and tests can switch modes."""

    def authenticate(self, request):
        if settings.AUTH_MODE == "gateway":
            return gateway_principal(request)
        return api_key_principal(request)

    def authenticate_header(self, request):
        return BEARER_REALM


def _authenticated(principal: Principal) -> tuple[Principal, Principal]:
    """DRF's (user, auth) pair; from here on, the request's log lines name the caller."""
    set_log_context(**principal.log_fields())
    return principal, principal


def api_key_principal(request):
    """`Authorization: Bearer <key>`; keys are looked up by their hash."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise exceptions.AuthenticationFailed("Malformed Authorization header; expected 'Bearer <key>'.")
    principal = principal_for_key(token)
    if principal is None:
        raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
    return _authenticated(principal)


def gateway_principal(request):
    """Identity set by a gateway that has verified the caller's JWT.

    The gateway must strip these headers from what clients send; only it may set them.
    """
    user_id = (request.headers.get(USER_ID_HEADER) or "").strip()
    if not user_id:
        return None
    if len(user_id) > MAX_USER_ID_LENGTH or not user_id.isprintable():
        raise exceptions.AuthenticationFailed(f"Malformed {USER_ID_HEADER} header.")
    role = (request.headers.get(USER_ROLE_HEADER) or "").strip().lower()
    if role not in Role.values:
        raise exceptions.AuthenticationFailed(f"{USER_ROLE_HEADER} must be one of: {', '.join(Role.values)}.")
    principal = Principal(
        actor=f"user:{user_id}",
        role=role,
        user_id=user_id,
        credentials=request.headers.get("Authorization", ""),
    )
    return _authenticated(principal)
