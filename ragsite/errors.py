"""The one error envelope: {"error": {"code", "message", "request_id", ...}}.

DRF errors go through `api_exception_handler`; errors raised outside DRF
(unknown URLs, CSRF failures, crashes) through the `handler*` views, so a
client never sees Django's HTML error pages on an API path.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from ragsite.request_id import current_request_id

logger = logging.getLogger(__name__)


class ApiError(exceptions.APIException):
    """An error with its own code; raise it from services and views alike."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"
    default_detail = "Bad request."

    def __init__(self, message=None, *, code=None, status_code=None, extra=None):
        super().__init__(detail=message or self.default_detail, code=code or self.default_code)
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra or {}


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


_CODES = {
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "validation_error",
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.AuthenticationFailed: "unauthenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "rate_limited",
}


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, "request_id": current_request_id(), **extra}}


def api_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = ApiError("The request body is too large.", code="payload_too_large", status_code=413)
    elif isinstance(exc, SuspiciousOperation):
        exc = ApiError("The request was rejected.", code="bad_request")

    if not isinstance(exc, exceptions.APIException):
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__)
        return Response(error_body("internal_error", "Something went wrong on our side."), status=500)

    extra = dict(getattr(exc, "extra", {}))
    if isinstance(exc, ApiError):
        code, message = exc.detail.code, str(exc.detail)
    elif isinstance(exc, exceptions.ValidationError):
        code, message = "validation_error", _validation_message(exc.detail)
        extra["fields"] = exc.detail
    else:
        code = _CODES.get(type(exc)) or _code_for(exc)
        message = str(exc.detail)
    response = Response(error_body(code, message, **extra), status=exc.status_code)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait) + 1)
    auth_header = getattr(exc, "auth_header", None)
    if exc.status_code == 401:
        response["WWW-Authenticate"] = auth_header or 'Bearer realm="api"'
    return response


def _code_for(exc) -> str:
    for cls, code in _CODES.items():
        if isinstance(exc, cls):
            return code
    return "error"


def _validation_message(detail) -> str:
    if isinstance(detail, dict):
        field, problems = next(iter(detail.items()), ("", [""]))
        first = problems[0] if isinstance(problems, list) and problems else problems
        if isinstance(first, dict):
            return "Invalid input."
        return f"{field}: {first}" if field != "non_field_errors" else str(first)
    if isinstance(detail, list) and detail:
        return str(detail[0])
    return "Invalid input."


def _json_error(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def handler400(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return _json_error(413, "payload_too_large", "The request body is too large.")
    return _json_error(400, "bad_request", "Bad request.")


def handler403(request, exception=None):
    return _json_error(403, "forbidden", "You do not have permission to do this.")


def handler404(request, exception=None):
    return _json_error(404, "not_found", "Not found.")


def not_found(request):
    return handler404(request)


def handler500(request):
    return _json_error(500, "internal_error", "Something went wrong on our side.")


def csrf_failure(request, reason=""):
    return _json_error(403, "csrf_failed", "CSRF verification failed; reload the page and try again.")
