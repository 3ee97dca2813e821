"""Who is calling the MCP server: the REST API's authentication, read from one call's headers.

Nothing here decides anything of its own. A Bearer key or the gateway's user headers are
read by `workspaces.auth` exactly as for a REST request (AUTH_MODE chooses), and a call
counts against the key's rate limit like a request does. What the caller may reach is then
decided per workspace by `workspaces.scoping`, inside each tool.
"""

from collections.abc import Mapping

from rest_framework import exceptions

from workspaces.auth import ConfiguredAuthentication, api_key_principal
from workspaces.principals import Principal
from workspaces.throttling import PerKeyRateThrottle


class CallRequest:
    """The part of a request `workspaces.auth` and the throttle read: its headers, looked up
    case-insensitively as HTTP headers are, and (once known) who sent it."""

    def __init__(self, headers: Mapping[str, str]):
        self._headers = {name.lower(): value for name, value in headers.items()}
        self.headers = self
        self.user: Principal | None = None

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._headers.get(name.lower(), default)


def authenticate(headers: Mapping[str, str], *, keys_only: bool = False) -> Principal:
    """The principal the headers name, or DRF's NotAuthenticated / AuthenticationFailed.

    `keys_only` is for stdio: a local agent presents a key, whatever AUTH_MODE the web server uses.
    """
    request = CallRequest(headers)
    authenticated = api_key_principal(request) if keys_only else ConfiguredAuthentication().authenticate(request)
    if authenticated is None:
        raise exceptions.NotAuthenticated()
    return authenticated[0]


def principal_for_call(headers: Mapping[str, str], *, keys_only: bool = False) -> Principal:
    """The caller of one tool call, authenticated and counted against its rate limit (the same
    per-key budget as its REST requests), or the error to answer."""
    principal = authenticate(headers, keys_only=keys_only)
    request = CallRequest(headers)
    request.user = principal
    throttle = PerKeyRateThrottle()
    if not throttle.allow_request(request, None):
        raise exceptions.Throttled(wait=throttle.wait())
    return principal
