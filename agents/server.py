"""The MCP server: the tools of agents.tools, served over streamable HTTP at /mcp (agents.http)
and over stdio (`manage.py mcp --stdio`).

Every tool call authenticates on its own, from that call's headers (over stdio, the key the
command was given), exactly as a REST request does; nothing is remembered from the connection.
The tool then runs in a worker thread inside Django's request cycle: `request_started` and
`request_finished` fire around it, so stale database connections are closed as after any
request. A failure comes back as the call's error result (`isError`) carrying the envelope
`{"error": {"code", "message", "request_id"}}`; a crash is logged here and answered
`internal_error`, never with its traceback.
"""

import inspect
import json
import logging
import time
import typing
from collections.abc import Callable, Mapping
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.signals import request_finished, request_started
from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import ValidationError

from agents import tools
from agents.auth import principal_for_call
from core.errors import INTERNAL_ERROR_MESSAGE, error_body, error_envelope
from core.request_id import current_request_id, request_id_scope

logger = logging.getLogger(__name__)

SERVER_NAME = "ragsite"
INSTRUCTIONS = (
    "Answers from a team's Markdown knowledge base, organised in workspaces. Start with "
    "list_workspaces; search_documents finds passages (with scores per retrieval stage), "
    "get_document_context and fetch_document read around them, ask gives a cited answer or an "
    "honest refusal. Errors carry {error: {code, message}}: not_found also means out of your reach."
)

READS = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
# Asking writes a chat log (and the session's turns), so it is not read-only; it deletes nothing.
ASKS = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)
TOOLS: list[tuple[Callable[..., dict], str, ToolAnnotations]] = [
    (tools.search_documents, "Search documents", READS),
    (tools.get_document_context, "Read a passage in context", READS),
    (tools.fetch_document, "Read a document", READS),
    (tools.list_workspaces, "List workspaces", READS),
    (tools.ask, "Ask a question", ASKS),
]


class RagsiteMCPServer(MCPServer):
    async def call_tool(self, name: str, arguments: dict[str, Any], context: Context | None = None) -> CallToolResult:
        # A tool answers its own failures (see answer_tool_call). What reaches here was refused
        # by the SDK before any tool ran (an unknown name, arguments that fail the schema) or
        # crashed in between; it gets the envelope too, instead of the SDK's plain text.
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            with request_id_scope(current_request_id()):
                return error_result(_refusal_envelope(name, exc))


def build_mcp_server(*, api_key: str | None = None) -> RagsiteMCPServer:
    """The server with every tool. Over HTTP each call brings its own credentials; over stdio
    `api_key` is presented for every call (and checked every time: a revoked key stops working)."""
    server = RagsiteMCPServer(SERVER_NAME, title="ragsite", instructions=INSTRUCTIONS)
    for tool, title, annotations in TOOLS:
        server.add_tool(_callable_by_mcp(tool, api_key=api_key), title=title, annotations=annotations)
    return server


def _callable_by_mcp(tool: Callable[..., dict], *, api_key: str | None) -> Callable:
    """`tool` as the SDK registers it: the same name, description and arguments (the input
    schema is built from them), without `principal`, which each call's credentials give."""
    signature = inspect.signature(tool)
    hints = typing.get_type_hints(tool, include_extras=True)
    arguments = [
        parameter.replace(annotation=hints[name])
        for name, parameter in signature.parameters.items()
        if name != "principal"
    ]

    async def call(ctx: Context, **values):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else (ctx.headers or {})
        # Over HTTP agents.http set the request's id; over stdio each call gets a new one.
        with request_id_scope(current_request_id()):
            return await run_in_request_cycle(answer_tool_call, tool, values, headers=headers, keys_only=bool(api_key))

    call.__name__ = tool.__name__
    call.__doc__ = tool.__doc__
    context = inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    call.__signature__ = signature.replace(parameters=[context, *arguments])
    call.__annotations__ = {"ctx": Context, **{arg.name: arg.annotation for arg in arguments}}
    call.__annotations__["return"] = hints["return"]
    return call


async def run_in_request_cycle(function: Callable, /, *args, **kwargs):
    """`function` in a worker thread, as Django runs a request: its own thread-sensitive
    context (so concurrent calls do not queue on one thread) between the request signals."""

    def in_cycle():
        request_started.send(sender=RagsiteMCPServer)
        try:
            return function(*args, **kwargs)
        finally:
            request_finished.send(sender=RagsiteMCPServer)

    async with ThreadSensitiveContext():
        return await sync_to_async(in_cycle)()


def answer_tool_call(
    tool: Callable[..., dict], values: dict, *, headers: Mapping[str, str], keys_only: bool
) -> dict | CallToolResult:
    """One call: authenticate it, run the tool, or answer its failure with the envelope."""
    started, actor, outcome = time.monotonic(), "-", "ok"
    try:
        principal = principal_for_call(headers, keys_only=keys_only)
        actor = principal.actor
        return tool(principal=principal, **values)
    except Exception as exc:
        _, envelope = error_envelope(exc, where=f"MCP tool {tool.__name__}")
        outcome = envelope["error"]["code"]
        return error_result(envelope)
    finally:
        elapsed_ms = round((time.monotonic() - started) * 1000)
        logger.info("mcp tool %s by %s: %s in %d ms", tool.__name__, actor, outcome, elapsed_ms)


def error_result(envelope: dict) -> CallToolResult:
    """A tool's failure as MCP carries it: an error result the agent reads, the envelope as
    its text and as structured content."""
    envelope = json.loads(json.dumps(envelope))  # DRF's ErrorDetail strings become plain ones
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(envelope))], structured_content=envelope, is_error=True
    )


def _refusal_envelope(name: str, exc: ToolError) -> dict:
    if isinstance(exc.__cause__, ValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.__cause__.errors():
            field = ".".join(str(part) for part in error["loc"]) or "non_field_errors"
            fields.setdefault(field, []).append(error["msg"])
        field, problems = next(iter(fields.items()))
        return error_body("validation_error", f"{field}: {problems[0]}", fields=fields)
    if isinstance(exc, UnexpectedToolError):
        logger.error("MCP tool %s crashed", name, exc_info=exc)
        return error_body("internal_error", INTERNAL_ERROR_MESSAGE)
    return error_body("not_found", f"There is no tool named {name!r}.")
