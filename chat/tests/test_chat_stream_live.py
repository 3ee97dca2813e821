"""/chat/stream over a real uvicorn server, with a real OpenAI-compatible server behind it."""

import http.client
import json
import time

import pytest

from chat.models import ChatLog, ChatMessage
from core.roles import Role
from documents.indexing import documents_index
from documents.services import document_upsert
from testing.fixtures import RUNBOOK
from testing.openai_server import Drop, Reply
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QUESTION = "How do I roll back a deployment?"


@pytest.fixture
def setup_workspace():
    workspace = WorkspaceFactory(id="live")
    document = document_upsert(workspace=workspace, content=RUNBOOK, source_uri="runbook.md").document
    documents_index(document_ids=[document.pk])
    return workspace, ApiKeyFactory(role=Role.EDITOR)


def open_stream(openai_app_server, key, body: dict, **headers: str):
    connection = http.client.HTTPConnection("127.0.0.1", openai_app_server.port, timeout=30)
    connection.request(
        "POST",
        "/chat/stream",
        body=json.dumps(body),
        headers={
            "Authorization": f"Bearer {key.raw_key}",
            "Content-Type": "application/json",
            "X-Workspace-ID": "live",
            **headers,
        },
    )
    return connection, connection.getresponse()


def read_events(response, *, stop_after: int | None = None):
    """(arrival time, event name or 'heartbeat', data) as they arrive."""
    events, name = [], None
    while True:
        line = response.readline()
        if not line:
            return events
        line = line.decode().rstrip("\n")
        if line.startswith(": heartbeat"):
            events.append((time.monotonic(), "heartbeat", None))
        elif line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            events.append((time.monotonic(), name, json.loads(line[len("data: ") :])))
            if stop_after is not None and len([e for e in events if e[1] != "heartbeat"]) >= stop_after:
                return events


def test_tokens_arrive_before_the_answer_is_complete(openai_app_server, openai_server, setup_workspace):
    workspace, key = setup_workspace
    tokens = ["To ", "roll ", "back, ", "run ", "`kubectl ", "rollout ", "undo` ", "[1]."]
    openai_server.enqueue(Reply(tokens=tokens, token_delay=0.4), endpoint="chat/completions")
    started = time.monotonic()
    connection, response = open_stream(openai_app_server, key, {"question": QUESTION})
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
    events = read_events(response)
    connection.close()
    names = [name for _, name, _ in events if name != "heartbeat"]
    assert names[0] == "meta" and names[-2:] == ["citations", "done"]
    assert names.count("token") == len(tokens)
    first_token = next(at for at, name, _ in events if name == "token")
    done = next(at for at, name, _ in events if name == "done")
    assert first_token - started < done - started - 2.0  # streamed, not buffered
    assert any(name == "heartbeat" for _, name, _ in events)  # the waits were filled
    meta = next(data for _, name, data in events if name == "meta")
    assert meta["retrieved_chunk_ids"]
    citations = next(data for _, name, data in events if name == "citations")["citations"]
    assert [c["n"] for c in citations] == [1]
    done_data = next(data for _, name, data in events if name == "done")
    log = ChatLog.objects.get(pk=done_data["chat_log_id"])
    assert log.answer == "".join(tokens) and log.provider == "openai" and not log.error


def test_a_provider_failing_mid_stream_sends_an_error_event_and_logs_it(
    openai_app_server, openai_server, setup_workspace
):
    workspace, key = setup_workspace
    openai_server.enqueue(Drop(tokens=["To ", "roll "], after_seconds=0.2), endpoint="chat/completions")
    client = http.client.HTTPConnection("127.0.0.1", openai_app_server.port, timeout=30)
    client.request(
        "POST",
        "/chat/sessions",
        body="{}",
        headers={
            "Authorization": f"Bearer {key.raw_key}",
            "Content-Type": "application/json",
            "X-Workspace-ID": "live",
        },
    )
    session_id = json.loads(client.getresponse().read())["id"]
    connection, response = open_stream(openai_app_server, key, {"question": QUESTION, "session_id": session_id})
    events = [(name, data) for _, name, data in read_events(response) if name != "heartbeat"]
    connection.close()
    names = [name for name, _ in events]
    assert names == ["meta", "token", "token", "error"]
    error = events[-1][1]
    assert error["code"] == "provider_error" and error["request_id"]
    log = ChatLog.objects.get(pk=error["chat_log_id"])
    assert log.error_code == "provider_error" and log.answer == "To roll "
    # Nothing lost from the session: the question is there, and no half answer.
    assert list(ChatMessage.objects.filter(session_id=session_id).values_list("role", "content")) == [
        ("user", QUESTION)
    ]


def test_a_client_that_disconnects_stops_the_generation(openai_app_server, openai_server, setup_workspace):
    workspace, key = setup_workspace
    tokens = [f"word{n} " for n in range(40)]
    openai_server.enqueue(Reply(tokens=tokens, token_delay=0.25), endpoint="chat/completions")
    connection, response = open_stream(openai_app_server, key, {"question": QUESTION})
    read_events(response, stop_after=3)  # meta and two tokens, then hang up
    connection.close()
    deadline = time.monotonic() + 15
    log = None
    while time.monotonic() < deadline:
        log = ChatLog.objects.filter(workspace=workspace).first()
        if log is not None:
            break
        time.sleep(0.2)
    assert log is not None and log.error_code == "client_disconnected"
    assert 2 <= len(log.answer.split()) < len(tokens)  # stopped early, well before the 10 s answer


def test_an_sse_client_that_asks_for_an_event_stream_gets_one(openai_app_server, openai_server, setup_workspace):
    _, key = setup_workspace
    openai_server.enqueue(Reply(tokens=["Roll ", "back ", "[1]."]), endpoint="chat/completions")
    connection, response = open_stream(openai_app_server, key, {"question": QUESTION}, Accept="text/event-stream")
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")
    names = [name for _, name, _ in read_events(response) if name != "heartbeat"]
    connection.close()
    assert names[0] == "meta" and names[-2:] == ["citations", "done"] and names.count("token") == 3
    # Refused before any streaming: one `error` event carrying the envelope.
    connection, refused = open_stream(openai_app_server, key, {"question": ""}, Accept="text/event-stream")
    assert refused.status == 400 and refused.getheader("Content-Type").startswith("text/event-stream")
    ((_, name, data),) = read_events(refused)
    connection.close()
    assert name == "error" and data["error"]["code"] == "validation_error"
