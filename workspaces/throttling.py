from rest_framework.throttling import SimpleRateThrottle


class PerKeyRateThrottle(SimpleRateThrottle):
    """Requests per key (per client address before authentication), on the shared cache."""

    scope = "per_key"

    def get_cache_key(self, request, view):
        principal = request.user
        ident = principal.actor if getattr(principal, "is_authenticated", False) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
