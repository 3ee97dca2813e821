"""Pytest fixtures shared across apps; registered by the root conftest.py."""

import uuid

import pytest

from documents.indexing import documents_index
from documents.services import document_upsert
from providers import generators
from testing.access_control_server import AccessControlServer
from testing.openai_server import OpenAITestServer
from testing.processes import AppServer
from workspaces import access_control


@pytest.fixture
def openai_server():
    """A started OpenAITestServer (`.base_url` ends in /v1), stopped after the test."""
    with OpenAITestServer() as server:
        yield server


@pytest.fixture
def openai_app_server(openai_server):
    """The app on a real server, its answers written by `openai_server` (no retries, short heartbeats)."""
    server = AppServer(
        GENERATOR_PROVIDER="openai",
        OPENAI_BASE_URL=openai_server.base_url,
        OPENAI_API_KEY="sk-test",
        OPENAI_MAX_RETRIES="0",
        CHAT_STREAM_HEARTBEAT_SECONDS="0.3",
    )
    yield server
    server.stop()


@pytest.fixture
def access_control_server(settings, monkeypatch):
    """Gateway mode, asking a started AccessControlServer, with an access cache of its own."""
    with AccessControlServer() as server:
        settings.AUTH_MODE = "gateway"
        settings.ACCESS_CONTROL_URL = server.url_template
        settings.ACCESS_CONTROL_TIMEOUT_SECONDS = 0.5
        monkeypatch.setattr(access_control, "CACHE_PREFIX", f"access-control:{uuid.uuid4().hex}:")
        yield server


RUNBOOK = """# Rollback runbook

## Rolling back a deployment

To roll back a deployment, run `kubectl rollout undo deployment/web` and watch the pods restart.
The previous ReplicaSet is scaled up again while the new one is scaled down.

## Checking the result

Check that every pod is ready with `kubectl get pods` before closing the incident.
"""


@pytest.fixture
def runbook(workspace):
    document = document_upsert(workspace=workspace, content=RUNBOOK, source_uri="runbook.md").document
    documents_index(document_ids=[document.pk])
    return document


@pytest.fixture
def fake_generator(settings):
    """The `fake` generator, scriptable through the returned instance."""
    settings.GENERATOR_PROVIDER = "fake"
    yield generators.get_generator()


@pytest.fixture
def quiet_request_cycle(monkeypatch):
    """For code that runs Django's request cycle itself (the MCP server), what Django's test client
    does around its requests: the test's connection lives in the test's transaction, so the
    request signals' close_old_connections must leave it open."""
    from django.db import connection

    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
