"""The one error envelope: {"error": {"code", "message", "request_id", ...}}.

Services raise `DomainError` (a code, a message, an HTTP status) or Django's
`ValidationError`; DRF views let them through to `api_exception_handler`,
which maps them, DRF's own exceptions and Django's to the envelope. Errors
raised outside DRF (unknown URLs, CSRF failures, crashes) go through the
`handler*` views. Browser paths (`HTML_ERROR_PATH_PREFIXES`: the admin, the
web app) get an HTML error page instead; every other path gets JSON.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.response import Response

from core.request_id import current_request_id

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A failure the caller can act on: a stable `code`, a message for people, an HTTP `status`,
    and `extra` fields for the envelope. Raise it (or a subclass) from services and views alike."""

    status = 400
    code = "bad_request"
    message = "Bad request."

    def __init__(self, message: str | None = None, *, code: str | None = None, status: int | None = None, extra=None):
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.extra = dict(extra or {})
        super().__init__(self.message)


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = "Not found."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = "Your role does not allow this."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "The request conflicts with the current state."


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
INTERNAL_ERROR_MESSAGE = "Something went wrong on our side."


def error_body(code: str, message: str, **extra) -> dict:
    return {"error": {"code": code, "message": message, "request_id": current_request_id(), **extra}}


class DatabaseUnavailable(DomainError):
    status = 503
    code = "database_unavailable"
    message = "The database cannot be reached; try again shortly."


class CacheUnavailable(DomainError):
    status = 503
    code = "cache_unavailable"
    message = "A service this needs (the shared cache) cannot be reached; try again shortly."


def unavailable(exc) -> DomainError | None:
    """A lost database or Redis connection, as the 503 to answer (and a warning, not a traceback,
    in the log). Where the cache is only an aid, callers do without it (core.cache); what needs
    it, such as counting failed sign-ins, refuses rather than run unguarded."""
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", exc.__class__.__name__)
        return DatabaseUnavailable()
    if isinstance(exc, RedisError):
        logger.warning("cache unavailable: %s", exc.__class__.__name__)
        return CacheUnavailable()
    return None


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every exception a DRF view raises, as the envelope."""
    status, body = error_envelope(exc, where=context.get("view").__class__.__name__)
    response = Response(body, status=status)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait) + 1)
    if status == 401:
        response["WWW-Authenticate"] = getattr(exc, "auth_header", None) or 'Bearer realm="api"'
    return response


def error_envelope(exc: Exception, *, where: str) -> tuple[int, dict]:
    """The status and the envelope for an exception raised while serving a call: a DRF view's,
    an MCP tool's. Domain, Django and DRF errors keep their code and message; anything else is
    logged with its traceback (call this inside the `except`) and answered `internal_error`,
    telling the caller nothing about it."""
    exc = unavailable(exc) or exc
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = DomainError("The request body is too large.", code="payload_too_large", status=413)
    elif isinstance(exc, SuspiciousOperation):
        exc = DomainError("The request was rejected.")

    if isinstance(exc, DomainError | ValidationError):
        code, message, status, extra = describe(exc)
        return status, error_body(code, message, **extra)
    if not isinstance(exc, exceptions.APIException):
        logger.exception("unhandled error in %s", where)
        return 500, error_body("internal_error", INTERNAL_ERROR_MESSAGE)

    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        code, message = "validation_error", _validation_message(exc.detail)
        extra["fields"] = exc.detail
    else:
        code = _CODES.get(type(exc)) or _code_for(exc)
        message = str(exc.detail)
    return exc.status_code, error_body(code, message, **extra)


def describe(exc: DomainError | ValidationError) -> tuple[str, str, int, dict]:
    """(code, message, status, extra) of a domain error or a Django ValidationError."""
    if isinstance(exc, DomainError):
        return exc.code, exc.message, exc.status, exc.extra
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return "validation_error", _validation_message(fields), 400, {"fields": fields}


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


# --- Outside DRF: Django's error views, and domain errors raised by plain views -------------


def wants_html(request) -> bool:
    """Browser paths answer HTML error pages; API paths the JSON envelope."""
    return request.path.startswith(tuple(settings.HTML_ERROR_PATH_PREFIXES))


def error_response(request, *, status: int, code: str, message: str, **extra) -> HttpResponse:
    """The envelope, or for a browser path an HTML page saying the same in words."""
    if wants_html(request):
        page = render_to_string(
            "errors/error.html",
            {"status": status, "code": code, "message": message, "request_id": current_request_id()},
        )
        return HttpResponse(page, status=status)
    return JsonResponse(error_body(code, message, **extra), status=status)


def handler400(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, status=413, code="payload_too_large", message="The request body is too large.")
    return error_response(request, status=400, code="bad_request", message="Bad request.")


def handler403(request, exception=None):
    return error_response(request, status=403, code="forbidden", message="You do not have permission to do this.")


def handler404(request, exception=None):
    return error_response(request, status=404, code="not_found", message="Not found.")


@csrf_exempt
def not_found(request):
    """Every unknown path. It changes nothing, so a POST to one (an id of the wrong shape in an
    API path, for one) answers 404 rather than failing the CSRF check as a form post would."""
    return handler404(request)


def handler500(request):
    return error_response(request, status=500, code="internal_error", message=INTERNAL_ERROR_MESSAGE)


def csrf_failure(request, reason=""):
    message = "CSRF verification failed; reload the page and try again."
    return error_response(request, status=403, code="csrf_failed", message=message)


class DomainErrorMiddleware:
    """Domain errors and Django ValidationErrors raised by views outside DRF (pages, the admin)
    become the same answer a DRF view gives: a 4xx, never a 500. Django's own bare 405
    (`require_POST`) gets the same treatment, keeping its Allow header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, HttpResponseNotAllowed) and not response.content:
            allowed = response["Allow"]
            response = error_response(
                request, status=405, code="method_not_allowed", message=f"This address only accepts {allowed}."
            )
            response["Allow"] = allowed
        return response

    def process_exception(self, request, exception):
        exception = unavailable(exception) or exception
        if not isinstance(exception, DomainError | ValidationError):
            return None
        code, message, status, extra = describe(exception)
        return error_response(request, status=status, code=code, message=message, **extra)
