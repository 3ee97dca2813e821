from django.conf import settings

from core.errors import error_response


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than MAX_REQUEST_BYTES by their Content-Length, before reading them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            message = f"The request body is larger than {settings.MAX_REQUEST_BYTES} bytes."
            return error_response(request, status=413, code="payload_too_large", message=message)
        return self.get_response(request)
