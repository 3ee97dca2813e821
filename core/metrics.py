"""/metrics (django-prometheus), public only where settings say so.

With METRICS_TOKEN set, a scraper sends `Authorization: Bearer <token>`; without a
token, /metrics is served only when METRICS_PUBLIC is on (local use), and production
turns that off: metrics name workspaces' activity, which is not for everyone.
"""

import hmac

from django.conf import settings
from django_prometheus.exports import ExportToDjangoView

from core.errors import error_response


def metrics_view(request):
    token = settings.METRICS_TOKEN
    if token:
        presented = request.headers.get("Authorization", "")
        if not hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
            response = error_response(
                request, status=401, code="unauthenticated", message="Send the metrics token as a Bearer token."
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    elif not settings.METRICS_PUBLIC:
        return error_response(request, status=404, code="not_found", message="Not found.")
    return ExportToDjangoView(request)
