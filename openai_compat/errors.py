"""Errors on /v1 in OpenAI's shape, which is the envelope with two more fields.

The envelope's `code` and `message` stay as everywhere else; OpenAI's clients also read
`type` (the error's class) and `param` (the field at fault, when one is).
"""

from core.errors import api_exception_handler

_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}


def openai_exception_handler(exc, context):
    response = api_exception_handler(exc, context)
    error = response.data["error"]
    error["type"] = _TYPES.get(response.status_code) or (
        "invalid_request_error" if response.status_code < 500 else "api_error"
    )
    fields = error.get("fields")
    error["param"] = next(iter(fields)) if isinstance(fields, dict) and fields else error.get("param")
    return response
