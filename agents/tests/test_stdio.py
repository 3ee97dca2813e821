"""`manage.py mcp --stdio`: the same tools for a local agent, as the key in RAGSITE_API_KEY."""

import sys

import pytest
from asgiref.sync import sync_to_async
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from core.roles import Role
from documents.tests.factories import ChunkFactory, DocumentFactory
from testing.mcp import outcome, run_async
from testing.processes import ROOT, process_environment
from workspaces.models import ApiKey
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_local_agent_lists_and_calls_the_tools_over_stdio():
    workspace = WorkspaceFactory(id="local")
    ChunkFactory(document=DocumentFactory(workspace=workspace), text="Sync waves order the resources of an app.")
    key = ApiKeyFactory(role=Role.VIEWER)
    command = StdioServerParameters(
        command=sys.executable,
        args=["manage.py", "mcp", "--stdio"],
        env=process_environment(RAGSITE_API_KEY=key.raw_key),
        cwd=ROOT,
    )

    @sync_to_async
    def revoke():
        ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
        connection.close()  # this may be a worker thread's connection: leave none open behind

    async def session():
        async with stdio_client(command) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            tools = (await client.list_tools()).tools
            found = await client.call_tool("search_documents", {"query": "sync waves", "workspace_id": "local"})
            await revoke()  # the key is checked on every call, not once at start
            refused = await client.call_tool("list_workspaces", {})
            return tools, found, refused

    tools, found, refused = run_async(session)
    assert {tool.name for tool in tools} >= {"search_documents", "ask"}
    assert outcome(found) == "ok"
    assert found.structured_content["results"][0]["text"] == "Sync waves order the resources of an app."
    assert outcome(refused) == "unauthenticated"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "api_key", "message"),
    [
        ([], "whatever", "Pass --stdio"),
        (["--stdio"], "", "Set RAGSITE_API_KEY"),
        (["--stdio"], "rag_not-a-key", "RAGSITE_API_KEY is not a valid API key"),
        (["--stdio"], "revoked", "RAGSITE_API_KEY is not a valid API key"),
    ],
)
def test_refuses_to_start_without_a_valid_key(monkeypatch, arguments, api_key, message):
    if api_key == "revoked":
        api_key = ApiKeyFactory(revoked_at=timezone.now()).raw_key
    monkeypatch.setenv("RAGSITE_API_KEY", api_key)
    with pytest.raises(CommandError, match=message):
        call_command("mcp", *arguments)
