"""Who is asking, for a page: the same principals, roles and workspace scoping as the API.

With AUTH_MODE=api_key people sign in with a Django user (a session); with
AUTH_MODE=gateway the pages trust the gateway's user headers exactly as the API
does, and each workspace is asked of the access-control service (fail closed).
"""

import functools

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from rest_framework.exceptions import AuthenticationFailed

from core.errors import DomainError
from core.request_id import set_log_context
from workspaces.auth import gateway_principal
from workspaces.principals import Principal
from workspaces.scoping import workspace_for_principal
from workspaces.selectors import principal_for_user


class NotSignedIn(DomainError):
    status = 401
    code = "unauthenticated"
    message = "Sign in through your gateway to use the web app."


def page_principal(request) -> Principal | None:
    """The principal of a page request, or None when nobody is signed in."""
    if settings.AUTH_MODE == "gateway":
        try:
            found = gateway_principal(request)
        except AuthenticationFailed as exc:
            raise NotSignedIn(str(exc.detail)) from None
        return found[0] if found else None
    if request.user.is_authenticated:
        principal = principal_for_user(request.user)
        set_log_context(**principal.log_fields())
        return principal
    return None


def signed_in(view):
    """A page for signed-in people: `request.principal` is set, anyone else is sent to sign in
    (or, behind a gateway that named nobody, answered 401)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        principal = page_principal(request)
        if principal is None:
            if settings.AUTH_MODE == "gateway":
                raise NotSignedIn()
            return redirect_to_login(request.get_full_path())
        request.principal = principal
        return view(request, *args, **kwargs)

    return wrapper


def page_workspace(request, workspace_id: str, *, required_role: str, writes: bool = False):
    """The workspace a page is about, checked as the API checks it (404, 403, 409)."""
    return workspace_for_principal(
        principal=request.principal, workspace_id=workspace_id, required_role=required_role, writes=writes
    )
