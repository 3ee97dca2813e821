import logging

from rest_framework.throttling import SimpleRateThrottle

from core.cache import CACHE_ERRORS

logger = logging.getLogger(__name__)


class PerKeyRateThrottle(SimpleRateThrottle):
    """Requests per key (per client address before authentication), on the shared cache."""

    scope = "per_key"

    def get_cache_key(self, request, view):
        principal = request.user
        ident = principal.actor if getattr(principal, "is_authenticated", False) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        # The counts live in Redis. Without it, requests are let through (and logged) rather
        # than refused: a limit on volume must not take the whole API down with the cache.
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            logger.warning("rate limit not applied: the cache is unavailable (%s)", exc.__class__.__name__)
            return True
