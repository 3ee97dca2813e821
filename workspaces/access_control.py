"""Gateway mode: may this user reach this workspace? Asked of ACCESS_CONTROL_URL.

The answer is yes only for an HTTP 200. Any other status, a redirect, a
malformed reply, a refused connection or a timeout is no: access **fails
closed**. Definite answers (200 and 4xx) are cached for
ACCESS_CONTROL_CACHE_SECONDS, keyed by a hash of the caller's credentials, so
a hot path asks once and a revoked token stops working within that window.
Failures (5xx, errors, timeouts) are not cached: the next request asks again.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings

from core.cache import cache_get, cache_set

if TYPE_CHECKING:  # the principal asks this module, so it is imported for annotations only
    from workspaces.principals import Principal

logger = logging.getLogger(__name__)

CACHE_PREFIX = "access-control:"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is not a 200: refuse to follow it to a place nobody configured.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def access_url(workspace_id: str) -> str:
    return settings.ACCESS_CONTROL_URL.replace("{workspace_id}", urllib.parse.quote(workspace_id, safe=""))


def workspace_access_allowed(*, principal: Principal, workspace_id: str) -> bool:
    allowed, _ = _cached_answer(principal, workspace_id)
    return allowed


def workspaces_with_access(*, principal: Principal, workspace_ids: Iterable[str]) -> list[str]:
    """The subset the principal may reach. After the first failure nothing more is asked,
    so a hanging service costs one timeout, not one per workspace; the rest are denied."""
    allowed_ids = []
    for workspace_id in workspace_ids:
        allowed, definite = _cached_answer(principal, workspace_id)
        if allowed:
            allowed_ids.append(workspace_id)
        elif not definite:
            break
    return allowed_ids


def _cached_answer(principal: Principal, workspace_id: str) -> tuple[bool, bool]:
    cache_key = CACHE_PREFIX + _fingerprint(principal, workspace_id)
    cached = cache_get(cache_key)
    if cached is not None:
        return cached, True
    allowed, definite = _ask(principal, workspace_id)
    if definite:
        cache_set(cache_key, allowed, timeout=settings.ACCESS_CONTROL_CACHE_SECONDS)
    return allowed, definite


def _ask(principal: Principal, workspace_id: str) -> tuple[bool, bool]:
    """(allowed, definite): whether to let the caller in, and whether that answer may be cached."""
    headers = {"X-User-Id": principal.user_id, "X-User-Role": principal.role}
    if principal.credentials:
        headers["Authorization"] = principal.credentials
    request = urllib.request.Request(access_url(workspace_id), headers=headers, method="GET")  # noqa: S310
    try:
        with _opener.open(request, timeout=settings.ACCESS_CONTROL_TIMEOUT_SECONDS) as response:
            response.read(4096)  # drain a little so the connection closes cleanly; the body is not used
            return response.status == 200, True
    except urllib.error.HTTPError as error:
        # 4xx is the service's answer; 5xx is the service failing. Both deny.
        if error.code >= 500:
            logger.warning("access control answered %s for workspace %s", error.code, workspace_id)
        return False, error.code < 500
    except Exception as error:  # noqa: BLE001 - timeouts, refused connections, garbage: all deny
        logger.warning("access control failed for workspace %s: %s", workspace_id, type(error).__name__)
        return False, False


def _fingerprint(principal: Principal, workspace_id: str) -> str:
    material = "\0".join([principal.user_id, principal.role, principal.credentials or "", workspace_id])
    return hashlib.sha256(material.encode()).hexdigest()
