"""Every log line of a request is JSON with its request id, workspace and the caller's hashed key
id, streamed answers included; the key itself is never written."""

import io
import json
import logging

import pytest

from core.logging import JsonFormatter
from core.request_id import RequestIdLogFilter, replace_log_context, reset_log_context
from testing.metrics import streamed_body

pytestmark = pytest.mark.django_db

QUESTION = {"question": "How do I roll back a deployment?"}


@pytest.fixture
def log_lines():
    """The lines the project's console handler would write, from every logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdLogFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    finally:
        root.removeHandler(handler)


@pytest.fixture
def talkative_generator(fake_generator):
    """The fake generator, logging a line while it answers (as a provider logs a retry)."""
    original = fake_generator.stream

    def stream(**kwargs):
        logging.getLogger("providers.test").warning("generating an answer")
        yield from original(**kwargs)

    fake_generator.stream = stream
    return fake_generator


@pytest.mark.parametrize("path", ["/chat", "/chat/stream"])
def test_a_requests_log_lines_name_its_request_workspace_and_key(
    client_for, editor_key, workspace, runbook, talkative_generator, log_lines, path
):
    response = client_for(editor_key, workspace).post(path, QUESTION, format="json", HTTP_X_REQUEST_ID="req-logs-1")
    assert response.status_code == 200
    if response.streaming:
        assert "event: done" in streamed_body(response)
    lines = [line for line in log_lines() if line["message"] == "generating an answer"]
    assert len(lines) == 1
    assert lines[0]["request_id"] == "req-logs-1"
    assert lines[0]["workspace"] == workspace.pk
    assert lines[0]["api_key"] == editor_key.key_hash[:12]
    written = json.dumps(log_lines())
    assert editor_key.raw_key not in written


def test_fields_end_with_their_request(client_for, editor_key, workspace, log_lines):
    token = replace_log_context({})  # what earlier tests in this thread set outside any request
    try:
        client_for(editor_key, workspace).get("/documents")
        logging.getLogger("after.request").warning("between requests")
    finally:
        reset_log_context(token)
    line = next(line for line in log_lines() if line["message"] == "between requests")
    assert line["request_id"] == "" and "workspace" not in line and "api_key" not in line


def test_djangos_own_line_about_a_refused_request_has_its_id(client, log_lines):
    response = client.get("/workspaces", HTTP_X_REQUEST_ID="req-refused-1")
    assert response.status_code == 401
    lines = [line for line in log_lines() if line["logger"] == "django.request"]
    assert lines and all(line["request_id"] == "req-refused-1" for line in lines)
