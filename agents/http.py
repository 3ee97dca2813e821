"""/mcp in the site's ASGI application: the MCP server's streamable HTTP transport beside Django.

Stateless, answering plain JSON: every POST is one self-contained exchange, so any web process
can answer any call and nothing is kept between them. Requests to /mcp do not pass through
Django's middleware, so what it would do for them is done here: the Host header is checked
against ALLOWED_HOSTS, the request gets its id (a caller's sane X-Request-ID is kept, and sent
back), and a request without valid credentials answers 401 before the MCP layer reads it.
Each tool call then authenticates again, on its own (agents.server).
"""

import asyncio
import io
import json

from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import INTERNAL_ERROR, INVALID_REQUEST

from agents.auth import authenticate
from agents.server import RagsiteMCPServer, build_mcp_server, run_in_request_cycle
from core.errors import error_body, error_envelope
from core.request_id import REQUEST_ID_HEADER, request_id_scope
from workspaces.auth import BEARER_REALM

MCP_PATH = "/mcp"
# JSON-RPC leaves -32000..-32099 to servers. The envelope in the error's `data` is what to read.
AUTHENTICATION_FAILED = -32010


def with_mcp_server(django_application):
    """The site's ASGI application: /mcp to the MCP server, every other path to Django."""
    return McpMount(django_application, build_mcp_server())


class McpMount:
    def __init__(self, django_application, server: RagsiteMCPServer):
        # Host and Origin are checked here, with Django's rules, instead of the SDK's localhost-only defaults.
        server.streamable_http_app(
            stateless_http=True,
            json_response=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )
        self._sessions = server.session_manager
        self._django = django_application
        self._running: asyncio.Task | None = None
        self._ready = asyncio.Event()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] != MCP_PATH:
            await self._django(scope, receive, send)
            return
        request = ASGIRequest(scope, io.BytesIO())
        with request_id_scope(request.headers.get(REQUEST_ID_HEADER, "")) as request_id:
            send = _sending_request_id(send, request_id)
            refusal = await self._refusal(request)
            if refusal is not None:
                await _send_json(send, *refusal)
                return
            await self._serving()
            await self._sessions.handle_request(scope, receive, send)

    async def _refusal(self, request: ASGIRequest) -> tuple[int, dict, list] | None:
        """(status, JSON-RPC error, headers) for a request refused before MCP reads it, else None."""
        try:
            request.get_host()
        except DisallowedHost:
            return 400, _rpc_error(INVALID_REQUEST, error_body("bad_request", "Bad request.")), []
        status, envelope = await run_in_request_cycle(_authentication_failure, request.headers)
        if status == 401:
            return 401, _rpc_error(AUTHENTICATION_FAILED, envelope), [(b"www-authenticate", BEARER_REALM.encode())]
        if status:
            return status, _rpc_error(INTERNAL_ERROR, envelope), []
        return None

    async def _serving(self) -> None:
        # The SDK's session manager runs a task group for the calls' tasks, normally entered from
        # an ASGI lifespan. The site runs without one (Django has none), so it starts on first use.
        if self._running is None:
            self._running = asyncio.create_task(self._run_sessions())
        await self._ready.wait()
        if self._running.done():
            self._running.result()  # it failed to start: raise why

    async def _run_sessions(self) -> None:
        try:
            async with self._sessions.run():
                self._ready.set()
                await asyncio.Event().wait()  # for the life of the process
        finally:
            self._ready.set()


def _authentication_failure(headers) -> tuple[int, dict]:
    """(0, {}) when the headers name a caller; else the status and the envelope of the refusal."""
    try:
        authenticate(headers)
    except Exception as exc:  # a bad key answers 401; a database that is down, 500
        return error_envelope(exc, where="MCP authentication")
    return 0, {}


def _rpc_error(code: int, envelope: dict) -> dict:
    error = {"code": code, "message": envelope["error"]["message"], "data": envelope}
    return {"jsonrpc": "2.0", "id": None, "error": error}


def _sending_request_id(send, request_id: str):
    async def sending(message):
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), (REQUEST_ID_HEADER.lower().encode(), request_id.encode())]
            message = {**message, "headers": headers}
        await send(message)

    return sending


async def _send_json(send, status: int, body: dict, headers: list) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
