"""Driving the MCP server with the SDK's own client (streamable HTTP and ClientSession): against a
live app server, or in process through the site's ASGI application (no socket, same code path
from the HTTP request on: Host check, authentication, the SDK's transport, the tools)."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import httpx2
from asgiref.sync import async_to_sync
from django.core.handlers.asgi import ASGIHandler
from mcp import ClientSession, MCPError
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

IN_PROCESS_URL = "http://testserver/mcp"


def site_application():
    """A fresh ASGI application with the MCP server mounted, as ragsite.asgi builds it (without
    setting Django up again, which would reset logging). Fresh each time: the SDK's session
    manager runs once, on the event loop of its first request."""
    from agents.http import with_mcp_server

    return with_mcp_server(ASGIHandler())


@asynccontextmanager
async def mcp_session(url: str = IN_PROCESS_URL, *, headers: dict, app=None) -> AsyncIterator[ClientSession]:
    """An initialised ClientSession at `url` sending `headers`; through `app` when given."""
    transport = httpx2.ASGITransport(app=app) if app is not None else None
    async with httpx2.AsyncClient(headers=headers, transport=transport, timeout=30) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


def run_async(coroutine_function: Callable[..., Awaitable], *args):
    """Run a client from a synchronous test. In process it must be async_to_sync, so the server's
    database calls come back to this thread and its transaction. Once a browser test has run,
    Playwright keeps an event loop running in this thread for the session, and async_to_sync
    refuses: then (live servers only, since pytest-django runs transactional tests last) the
    client runs on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return async_to_sync(coroutine_function)(*args)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine_function(*args)).result()


def call_tool(name: str, arguments: dict, *, headers: dict, url: str | None = None):
    """One tool call in a session of its own, to a live server at `url` or else in process: the
    CallToolResult, or the MCPError that refused the request."""

    async def calling():
        try:
            if url is None:
                async with mcp_session(headers=headers, app=site_application()) as session:
                    return await session.call_tool(name, arguments)
            async with mcp_session(url, headers=headers) as session:
                return await session.call_tool(name, arguments)
        except (MCPError, BaseExceptionGroup) as error:
            return _mcp_error(error)

    return run_async(calling)


def _mcp_error(error: BaseException) -> MCPError:
    # The client's task groups wrap an error raised inside them; the MCPError is what was answered.
    while isinstance(error, BaseExceptionGroup) and len(error.exceptions) == 1:
        error = error.exceptions[0]
    if not isinstance(error, MCPError):
        raise error
    return error


def envelope(answer: CallToolResult | MCPError) -> dict:
    """The error envelope an error result or a refused request carries, checked to be the same
    in the text an agent reads as in the structured content."""
    if isinstance(answer, MCPError):
        return answer.error.data
    assert answer.is_error, answer
    assert json.loads(answer.content[0].text) == answer.structured_content
    return answer.structured_content


def outcome(answer: CallToolResult | MCPError) -> str:
    """ "ok", or the error code the envelope names."""
    if isinstance(answer, CallToolResult) and not answer.is_error:
        return "ok"
    return envelope(answer)["error"]["code"]
