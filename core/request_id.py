"""A request id on every response and every log line.

The caller's `X-Request-ID` is kept when it is a sane token, so ids can be
followed across a gateway; otherwise a new one is made.
"""

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_current_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    return _current_request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def request_id_scope(supplied: str = "") -> Iterator[str]:
    """The id of what runs inside: the caller's when it is a sane token, else a new one.
    Requests through Django and calls to the MCP server both take theirs here."""
    request_id = supplied if _VALID_REQUEST_ID.match(supplied) else new_request_id()
    token = _current_request_id.set(request_id)
    try:
        yield request_id
    finally:
        _current_request_id.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_id_scope(request.headers.get(REQUEST_ID_HEADER, "")) as request_id:
            request.request_id = request_id
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id()
        return True
