"""drf-spectacular postprocessing hook: /v1 operations answer errors in OpenAI's shape
(openai_compat.errors), the envelope with `type` and `param` besides its code and message."""

import copy

from core.openapi import ERROR_SCHEMA, METHODS

OPENAI_ERROR_COMPONENT = "OpenAIError"
PATH_PREFIX = "/v1/"


def _openai_error_schema() -> dict:
    schema = copy.deepcopy(ERROR_SCHEMA)
    schema["description"] = "The error envelope with OpenAI's fields: `type` (the error's class) and `param`."
    schema["properties"]["error"]["properties"].update(
        {
            "type": {
                "type": "string",
                "enum": [
                    "invalid_request_error",
                    "authentication_error",
                    "permission_error",
                    "rate_limit_error",
                    "api_error",
                ],
            },
            "param": {"type": "string", "nullable": True, "description": "The field at fault, when one is."},
        }
    )
    return schema


def use_openai_errors(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[OPENAI_ERROR_COMPONENT] = _openai_error_schema()
    reference = {"$ref": f"#/components/schemas/{OPENAI_ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(PATH_PREFIX):
            continue
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            for status, response in operation.get("responses", {}).items():
                if status[0] in "45":
                    response["content"] = {"application/json": {"schema": reference}}
    return result
