"""A request id on every response and every log line.

The caller's `X-Request-ID` is kept when it is a sane token, so ids can be
followed across a gateway; otherwise a new one is made. What else a log line
can say about its request (the workspace, the caller's hashed key id) and its
task (name and id, in a worker) lives in context variables next to it, set
where they become known (authentication, workspace scoping, task_prerun) and
added to every record by RequestIdLogFilter.
"""

import contextvars
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_current_request_id: ContextVar[str] = ContextVar("request_id", default="")
# Log fields of the current request or task: name -> value, only those known.
_log_context: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039  (never mutated)
LOG_CONTEXT_FIELDS = ("workspace", "api_key", "user", "task", "task_id")


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
    # What is learnt inside (workspace, key) is forgotten at the end; an enclosing scope's is kept.
    context_token = _log_context.set(_log_context.get())
    try:
        yield request_id
    finally:
        _log_context.reset(context_token)
        _current_request_id.reset(token)


def is_valid_request_id(value: str) -> bool:
    return bool(_VALID_REQUEST_ID.match(value or ""))


def set_request_id(request_id: str):
    """Make `request_id` current (a task restoring the id of the request that sent it); the token resets it."""
    return _current_request_id.set(request_id)


def reset_request_id(token) -> None:
    _current_request_id.reset(token)


def log_context() -> dict[str, str]:
    return _log_context.get()


def set_log_context(**fields: str | None) -> None:
    """Add fields (LOG_CONTEXT_FIELDS) to every later log line of this request or task; empty values are left out.

    Never pass a secret: the API key field is the key's hash prefix (Principal.actor), not the key."""
    unknown = set(fields) - set(LOG_CONTEXT_FIELDS)
    if unknown:
        raise ValueError(f"unknown log context fields: {sorted(unknown)}")
    known = {name: str(value) for name, value in fields.items() if value}
    if known:
        _log_context.set({**_log_context.get(), **known})


def replace_log_context(fields: dict[str, str]):
    """The log context of a task: exactly `fields`; the token restores the previous one."""
    return _log_context.set(dict(fields))


def reset_log_context(token) -> None:
    _log_context.reset(token)


class ContextBoundIterator:
    """An iterator whose every step (and close) runs in the context it was made in.

    A streamed response is read after the middleware has left the request's scope; wrapped
    when the view makes it, its steps still see the request id and the log context."""

    def __init__(self, iterator: Iterator):
        self._iterator = iterator
        self._context = contextvars.copy_context()

    def __iter__(self):
        return self

    def __next__(self):
        return self._context.run(next, self._iterator)

    def close(self) -> None:
        close = getattr(self._iterator, "close", None)
        if close is not None:
            self._context.run(close)


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
    """The request id (empty outside requests and tasks) and the known context fields, on every record.

    A field the caller passed with `extra=` wins over the context's."""

    def filter(self, record):
        # django.request logs a 4xx/5xx after the middleware has left the request's scope; the
        # request it logs about still has its id.
        record.request_id = current_request_id() or getattr(getattr(record, "request", None), "request_id", "")
        for name, value in _log_context.get().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True
