"""drf-spectacular postprocessing hooks: the schema describes every answer an operation gives.

`add_error_responses` documents the error envelope (core.errors) for each status an operation
can answer with, besides its own success; `add_links` adds the OpenAPI links from an operation
that creates an object to the operations on that object, so clients (and stateful tests) can
follow them.
"""

import re

ERROR_COMPONENT = "Error"

ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error envelope: a stable code, a message for people, the request id.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "For validation errors: the problems of each field.",
                },
            },
            "required": ["code", "message", "request_id"],
            "additionalProperties": {},
        }
    },
    "required": ["error"],
}

DESCRIPTIONS = {
    "400": "Malformed or invalid request (`malformed_request`, `validation_error`, ...).",
    "401": "No API key, or an unknown or revoked one (`unauthenticated`).",
    "403": "The key's role does not allow this (`forbidden`).",
    "404": "No such object, or one out of the key's reach (`not_found`).",
    "406": "The Accept header asks for no type this operation answers with (`not_acceptable`).",
    "409": "The request conflicts with the object's state, such as an archived workspace.",
    "413": "The request body is too large (`payload_too_large`).",
    "415": "The body's Content-Type is not one this operation reads (`unsupported_media_type`).",
    "429": "Too many requests for this key (`rate_limited`); see Retry-After.",
    "503": "The database or the shared cache cannot be reached; try again shortly.",
}

WRITE_METHODS = ("post", "put", "patch", "delete")
METHODS = ("get", *WRITE_METHODS)


def error_statuses(method: str, operation: dict) -> list[str]:
    """The error statuses an operation can answer with: what any request can get wrong, what
    authentication and roles refuse, what a body or a write can run into."""
    statuses = ["400", "404", "406", "503"]
    if any(requirement for requirement in operation.get("security", [])):
        statuses += ["401", "403", "429"]
    if method in WRITE_METHODS:
        statuses += ["409", "413", "415"]
    return sorted(statuses)


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                # An error a view declares without a body of its own answers the envelope.
                if status[0] in "45" and not response.get("content"):
                    response["content"] = {"application/json": {"schema": reference}}
                    response["description"] = response.get("description") or DESCRIPTIONS.get(status, "")
    return result


def add_links(result, generator, request, public):
    """POST /things answering an object with an `id` links to every operation on /things/{thing_id}."""
    paths = result.get("paths", {})
    schemas = result.get("components", {}).get("schemas", {})
    for path, operations in paths.items():
        create = operations.get("post")
        if create is None:
            continue
        for status, response in create.get("responses", {}).items():
            if not status.startswith("2") or not _answers_an_id(response, schemas):
                continue
            links = response.setdefault("links", {})
            for target_path, parameter, target in _operations_below(paths, path):
                links[target["operationId"]] = {
                    "operationId": target["operationId"],
                    "parameters": {parameter: "$response.body#/id"},
                    "description": f"The created object, at {target_path}.",
                }
            if not links:
                del response["links"]
    return result


def _operations_below(paths: dict, path: str):
    below = re.compile(re.escape(path) + r"/\{(?P<parameter>\w+)\}(?:/[^{}]*)?$")
    for target_path, operations in paths.items():
        match = below.match(target_path)
        if match is None:
            continue
        for method, operation in operations.items():
            if method in METHODS and "operationId" in operation:
                yield target_path, match["parameter"], operation


def _answers_an_id(response: dict, schemas: dict) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    return schema is not None and _has_id(schema, schemas)


def _has_id(schema: dict, schemas: dict) -> bool:
    if "$ref" in schema:
        schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
    if "oneOf" in schema:
        return any(_has_id(option, schemas) for option in schema["oneOf"])
    return "id" in schema.get("properties", {})
