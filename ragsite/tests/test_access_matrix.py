"""Every endpoint against every persona, and the status each must get.

Personas: API keys (admin, editor, viewer, an admin key scoped to another
workspace, a revoked key) and gateway users (allowed, denied) asking the real
loopback access-control service. Every object lives in workspace `alpha`.
The web app's pages have a matrix of their own, against people (signed in or not,
members or not, staff) and gateway users; the MCP server's tools one against the API's
personas. The coverage tests fail when an endpoint, a page or a tool exists that no
matrix covers.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from agents.server import build_mcp_server
from audit.tests.factories import AuditLogFactory
from chat.tests.factories import ChatLogFactory, ChatMessageFactory, ChatSessionFactory
from core.roles import Role
from documents.tests.factories import ChunkFactory, DocumentFactory
from exports.tests.factories import ExportJobFactory
from testing.mcp import call_tool, envelope, outcome, run_async
from workspaces.tests.factories import ApiKeyFactory, MembershipFactory, UserFactory, WorkspaceFactory

PERSONAS = ["admin", "editor", "viewer", "other_workspace", "revoked", "gateway_allowed", "gateway_denied"]

# (method, path, body, expected statuses in PERSONAS order)
MATRIX = [
    ("get", "/health", None, "200 200 200 200 200 200 200"),
    ("get", "/metrics", None, "200 200 200 200 200 200 200"),
    ("get", "/stats", None, "200 200 200 404 401 200 404"),
    ("get", "/workspaces", None, "200 200 200 200 401 200 200"),
    ("post", "/workspaces", {"id": "gamma", "name": "Gamma"}, "201 403 403 403 401 201 201"),
    ("get", "/workspaces/alpha", None, "200 200 200 404 401 200 404"),
    ("patch", "/workspaces/alpha", {"name": "Renamed"}, "200 403 403 404 401 200 404"),
    ("post", "/workspaces/alpha/archive", {"reason": "r"}, "200 403 403 404 401 200 404"),
    ("post", "/workspaces/alpha/restore", {}, "200 403 403 404 401 200 404"),
    ("get", "/workspaces/bulk/preview?action=archive", None, "200 403 403 200 401 200 200"),
    ("post", "/workspaces/bulk/archive", {"ids": ["alpha"]}, "200 403 403 200 401 200 200"),
    ("post", "/workspaces/bulk/restore", {"ids": ["alpha"]}, "200 403 403 200 401 200 200"),
    # Only callers who can see alpha count one match; the others get 409 and change nothing.
    (
        "post",
        "/workspaces/bulk/archive-matching",
        {"q": "alpha", "confirm": True, "expected_total": 1},
        "200 403 403 409 401 200 409",
    ),
    (
        "post",
        "/workspaces/bulk/restore-matching",
        {"q": "alpha", "confirm": True, "expected_total": 0},
        "200 403 403 200 401 200 200",
    ),
    ("get", "/workspaces/audit-logs", None, "200 403 403 200 401 200 200"),
    ("get", "/workspaces/audit-logs/{audit_log}", None, "200 403 403 404 401 200 404"),
    ("get", "/documents", None, "200 200 200 404 401 200 404"),
    ("post", "/documents", {"content": "# New\n\nText.", "source_uri": "new.md"}, "202 202 403 404 401 202 404"),
    ("get", "/documents/{document}", None, "200 200 200 404 401 200 404"),
    ("delete", "/documents/{document}", None, "204 204 403 404 401 204 404"),
    ("post", "/documents/{document}/reindex", {}, "202 202 403 404 401 202 404"),
    ("post", "/documents/reindex", {}, "202 202 403 404 401 202 404"),
    ("post", "/search", {"query": "alpha text"}, "200 200 200 404 401 200 404"),
    ("post", "/context", {"chunk_id": "{chunk}"}, "200 200 200 404 401 200 404"),
    ("post", "/chat", {"question": "What is alpha?"}, "200 200 403 404 401 200 404"),
    ("post", "/chat/stream", {"question": "What is alpha?"}, "200 200 403 404 401 200 404"),
    ("get", "/chat/sessions", None, "200 200 200 404 401 200 404"),
    ("post", "/chat/sessions", {"title": "New"}, "201 201 403 404 401 201 404"),
    ("get", "/chat/sessions/{session}", None, "200 200 200 404 401 200 404"),
    ("get", "/chat/logs", None, "200 403 403 404 401 200 404"),
    ("get", "/chat/logs/export", None, "200 403 403 404 401 200 404"),
    ("get", "/chat/logs/{chat_log}", None, "200 403 403 404 401 200 404"),
    ("post", "/chat/logs/{chat_log}/feedback", {"rating": "up"}, "200 200 403 404 401 200 404"),
    ("get", "/v1/models", None, "200 200 200 200 401 200 200"),
    (
        "post",
        "/v1/chat/completions",
        {"model": "alpha", "messages": [{"role": "user", "content": "What is alpha?"}]},
        "200 200 403 404 401 200 404",
    ),
    ("get", "/exports/jobs", None, "200 403 403 404 401 200 404"),
    ("post", "/exports/jobs", {"export_type": "audit_logs", "format": "csv"}, "201 403 403 404 401 201 404"),
    ("get", "/exports/jobs/{export_job}", None, "200 403 403 404 401 200 404"),
    ("get", "/exports/jobs/{export_job}/download", None, "200 403 403 404 401 200 404"),
    ("post", "/exports/jobs/{failed_export_job}/retry", {}, "202 403 403 404 401 202 404"),
]

# The web app's pages, against people: nobody signed in, a viewer of alpha, a member of beta only,
# a staff user, and gateway users the access-control service allows or denies alpha.
PAGE_PERSONAS = ["anonymous", "member", "outsider", "staff", "gateway_allowed", "gateway_denied"]
PAGE_MATRIX = [
    ("get", "/", "302 302 302 302 302 302"),
    ("get", "/app/", "302 200 200 200 200 200"),
    ("get", "/app/w/alpha/", "302 200 404 200 200 404"),
    ("get", "/app/workspaces/new/", "302 403 403 200 403 403"),
    # Bulk pages are for admins of some workspace (the outsider administers beta); an empty post is
    # answered with a message (the selection) or refused as bad input (a confirmation without a total).
    ("post", "/app/workspaces/bulk/", "302 403 302 302 403 403"),
    ("get", "/app/workspaces/bulk/matching/?action=archive&q=alpha", "302 403 200 200 403 403"),
    ("post", "/app/workspaces/bulk/matching/", "302 403 400 400 403 403"),
    ("get", "/app/w/alpha/edit/", "302 403 404 200 403 404"),
    ("post", "/app/w/alpha/archive/", "302 403 404 302 403 404"),
    ("post", "/app/w/alpha/restore/", "302 403 404 302 403 404"),
    ("get", "/app/login/", "200 302 302 302 200 200"),
    ("post", "/app/logout/", "302 302 302 302 302 302"),
    ("get", "/app/password/", "302 200 200 200 302 302"),
    ("get", "/app/password/done/", "302 200 200 200 302 302"),
    ("get", "/app/w/alpha/documents/", "302 200 404 200 200 404"),
    ("get", "/app/w/alpha/documents/{document}/", "302 200 404 200 200 404"),
    ("post", "/app/w/alpha/documents/upload/", "302 403 404 302 403 404"),
    ("post", "/app/w/alpha/documents/reindex/", "302 403 404 302 403 404"),
    ("post", "/app/w/alpha/documents/{document}/reindex/", "302 403 404 302 403 404"),
    ("post", "/app/w/alpha/documents/{document}/delete/", "302 403 404 302 403 404"),
    ("get", "/app/w/alpha/inspect/?query=alpha", "302 200 404 200 200 404"),
    ("get", "/app/w/alpha/evaluation/", "302 200 404 200 200 404"),
    ("get", "/app/w/alpha/evaluation/documents/?q=alpha", "302 403 404 200 403 404"),
    ("get", "/app/w/alpha/members/", "302 403 404 200 403 404"),
    ("post", "/app/w/alpha/members/set/", "302 403 404 400 403 404"),
    ("post", "/app/w/alpha/members/{membership}/remove/", "302 403 404 302 403 404"),
    ("get", "/app/w/alpha/chunks/{chunk}/", "302 200 404 200 200 404"),
    # Conversations are their owner's (the member's): everyone else, staff included, finds none.
    ("get", "/app/w/alpha/chat/", "302 200 404 200 200 404"),
    ("get", "/app/w/alpha/chat/{member_session}/", "302 200 404 404 404 404"),
    ("post", "/app/w/alpha/chat/ask/", "302 403 404 400 403 404"),
    ("post", "/app/w/alpha/chat/{member_session}/rename/", "302 403 404 404 403 404"),
    ("post", "/app/w/alpha/chat/{member_session}/delete/", "302 403 404 404 403 404"),
    ("get", "/app/w/alpha/chat/answers/{member_chat_log}/", "302 302 404 404 404 404"),
    ("post", "/app/w/alpha/chat/answers/{member_chat_log}/feedback/", "302 403 404 404 403 404"),
    ("get", "/app/w/alpha/operations/", "302 403 404 200 403 404"),
    ("get", "/app/w/alpha/operations/chat-logs/", "302 403 404 200 403 404"),
    ("get", "/app/w/alpha/operations/chat-logs/{chat_log}/", "302 403 404 200 403 404"),
    ("get", "/app/w/alpha/operations/audit/", "302 403 404 200 403 404"),
    ("get", "/app/w/alpha/operations/audit/{audit_log}/", "302 403 404 200 403 404"),
    ("get", "/app/w/alpha/operations/exports/", "302 403 404 200 403 404"),
    ("post", "/app/w/alpha/operations/exports/new/", "302 403 404 400 403 404"),
    ("get", "/app/w/alpha/operations/exports/{export_job}/", "302 403 404 200 403 404"),
    ("get", "/app/w/alpha/operations/exports/{export_job}/download/", "302 403 404 200 403 404"),
    ("post", "/app/w/alpha/operations/exports/{failed_export_job}/retry/", "302 403 404 302 403 404"),
]

# Served by Django or libraries, not the product API.
NOT_IN_MATRIX = {"schema", "api-docs"}
# An evaluation set's pages and the chat log -> question form: their roles and another
# workspace's 404 are checked in retrieval/tests/test_evaluation_pages.py and operations' test_pages.
NOT_IN_MATRIX |= {
    "app-evaluation-set",
    "app-evaluation-import",
    "app-evaluation-export",
    "app-evaluation-run",
    "app-evaluation-question-delete",
    "app-fusion-reset",
    "app-chat-log-question",
}


@pytest.fixture
def world(db, settings, tmp_path):
    settings.EXPORT_STORAGE_DIR = tmp_path
    alpha = WorkspaceFactory(id="alpha", name="Alpha")
    beta = WorkspaceFactory(id="beta", name="Beta")
    document = DocumentFactory(workspace=alpha, content="# Alpha\n\nAlpha text.")
    chunk = ChunkFactory(document=document, text="Alpha text about the alpha workspace.")
    return {
        "alpha": alpha,
        "beta": beta,
        "document": document.pk,
        "chunk": chunk.pk,
        "session": ChatSessionFactory(workspace=alpha).pk,
        "chat_log": ChatLogFactory(workspace=alpha).pk,
        "audit_log": AuditLogFactory(workspace_ids=["alpha"]).pk,
        "export_job": _export_job_with_file(alpha, tmp_path),
        "failed_export_job": ExportJobFactory(workspace=alpha, failed=True).pk,
        "membership": MembershipFactory(workspace=alpha).pk,
        **_member_conversation(alpha),
    }


def _member_conversation(workspace) -> dict:
    """A conversation of the page matrix's `member`, with one rated-able answer."""
    session = ChatSessionFactory(workspace=workspace, actor="user:member")
    log = ChatLogFactory(workspace=workspace, session=session)
    ChatMessageFactory(session=session, role="assistant", content=log.answer, chat_log=log)
    return {"member_session": session.pk, "member_chat_log": log.pk}


def _export_job_with_file(workspace, folder):
    job = ExportJobFactory(workspace=workspace, succeeded=True)
    (folder / job.file_path).write_text('{"row": 1}\n')
    return job.pk


def persona_headers(persona: str, world: dict, request) -> dict:
    """The headers a persona sends: its API key, or the gateway's user headers (with the
    access-control service told what to answer for that user)."""
    if persona.startswith("gateway"):
        server = request.getfixturevalue("access_control_server")
        user_id = persona
        server.set("alpha", "allow" if persona == "gateway_allowed" else "deny", user_id=user_id)
        server.set("beta", "deny", user_id=user_id)
        return {"X-User-Id": user_id, "X-User-Role": "admin", "Authorization": f"Bearer jwt-{user_id}"}
    api_key = {
        "admin": lambda: ApiKeyFactory(role=Role.ADMIN),
        "editor": lambda: ApiKeyFactory(role=Role.EDITOR),
        "viewer": lambda: ApiKeyFactory(role=Role.VIEWER),
        "other_workspace": lambda: ApiKeyFactory(role=Role.ADMIN, workspace=world["beta"]),
        "revoked": lambda: ApiKeyFactory(role=Role.ADMIN, revoked_at="2026-01-01T00:00:00Z"),
    }[persona]()
    return {"Authorization": f"Bearer {api_key.raw_key}"}


def client_for_persona(persona: str, world: dict, request) -> APIClient:
    client = APIClient()
    headers = {"X-Workspace-ID": "alpha", **persona_headers(persona, world, request)}
    client.credentials(**{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()})
    return client


def fill(value, world: dict):
    if isinstance(value, str):
        return value.format(**{key: val for key, val in world.items() if not hasattr(val, "pk")})
    if isinstance(value, dict):
        return {key: _typed(fill(item, world), item) for key, item in value.items()}
    return value


def _typed(filled, template):
    # "{chunk}" stands for an integer id.
    return int(filled) if isinstance(template, str) and template == "{chunk}" else filled


CASES = [
    pytest.param(method, path, body, persona, int(expected.split()[index]), id=f"{method} {path} as {persona}")
    for method, path, body, expected in MATRIX
    for index, persona in enumerate(PERSONAS)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body", "persona", "expected"), CASES)
def test_endpoint_answers_persona(world, request, method, path, body, persona, expected):
    client = client_for_persona(persona, world, request)
    url = fill(path, world)
    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(url, fill(body, world), format="json")
    content = b"(a stream)" if response.streaming else response.content
    assert response.status_code == expected, content[:300]
    if expected >= 400 and url != "/metrics":
        assert response.json()["error"]["request_id"]


def client_for_page_persona(persona: str, world: dict, request) -> Client:
    if persona.startswith("gateway"):
        server = request.getfixturevalue("access_control_server")
        server.set("alpha", "allow" if persona == "gateway_allowed" else "deny", user_id=persona)
        return Client(HTTP_X_USER_ID=persona, HTTP_X_USER_ROLE="viewer")
    client = Client()
    if persona == "member":
        member = UserFactory(username="member")
        client.force_login(MembershipFactory(workspace=world["alpha"], user=member, role=Role.VIEWER).user)
    elif persona == "outsider":
        client.force_login(MembershipFactory(workspace=world["beta"], role=Role.ADMIN).user)
    elif persona == "staff":
        client.force_login(UserFactory(is_staff=True))
    return client


PAGE_CASES = [
    pytest.param(method, path, persona, int(expected.split()[index]), id=f"{method} {path} as {persona}")
    for method, path, expected in PAGE_MATRIX
    for index, persona in enumerate(PAGE_PERSONAS)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "persona", "expected"), PAGE_CASES)
def test_page_answers_persona(world, request, method, path, persona, expected):
    response = getattr(client_for_page_persona(persona, world, request), method)(fill(path, world))
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert response["Content-Type"].startswith("text/html")


# The MCP server's tools, called with the SDK's own client over the site's ASGI application (in
# process: the HTTP request, its Host and credential checks, the SDK's transport and the tool all
# run; agents/tests/test_http_live.py does the same against a live server). An outcome is "ok" or
# the error code of the envelope the call answered.
TOOL_MATRIX = [
    (
        "search_documents",
        {"query": "alpha text", "workspace_id": "alpha"},
        "ok ok ok not_found unauthenticated ok not_found",
    ),
    ("get_document_context", {"chunk_id": "{chunk}"}, "ok ok ok not_found unauthenticated ok not_found"),
    ("fetch_document", {"document_id": "{document}"}, "ok ok ok not_found unauthenticated ok not_found"),
    ("list_workspaces", {}, "ok ok ok ok unauthenticated ok ok"),
    # Asking needs the editor role, as /chat does.
    (
        "ask",
        {"question": "What is alpha?", "workspace_id": "alpha"},
        "ok ok forbidden not_found unauthenticated ok not_found",
    ),
]

TOOL_CASES = [
    pytest.param(name, arguments, persona, expected.split()[index], id=f"{name} as {persona}")
    for name, arguments, expected in TOOL_MATRIX
    for index, persona in enumerate(PERSONAS)
]


@pytest.mark.django_db
@pytest.mark.usefixtures("quiet_request_cycle")
@pytest.mark.parametrize(("name", "arguments", "persona", "expected"), TOOL_CASES)
def test_tool_answers_persona(world, request, name, arguments, persona, expected):
    answer = call_tool(name, fill(arguments, world), headers=persona_headers(persona, world, request))
    assert outcome(answer) == expected, answer
    if expected != "ok":
        assert envelope(answer)["error"]["request_id"]


def test_tool_matrix_covers_every_tool():
    async def registered():
        return {tool.name for tool in await build_mcp_server().list_tools()}

    assert run_async(registered) == {name for name, _, _ in TOOL_MATRIX}


def test_matrix_covers_every_endpoint():
    paths = [path for _, path, _, _ in MATRIX] + [path for _, path, _ in PAGE_MATRIX]
    covered = {resolve(concrete(path)).url_name for path in paths}
    assert endpoint_names() - NOT_IN_MATRIX - covered == set()


def concrete(path: str) -> str:
    """A matrix path with an id of the right kind in each placeholder."""
    path = path.split("?")[0]
    uuids = ("{document}", "{session}", "{chat_log}", "{export_job}", "{failed_export_job}", "{member_session}")
    for placeholder in (*uuids, "{member_chat_log}"):
        path = path.replace(placeholder, "00000000-0000-0000-0000-000000000000")
    for placeholder in ("{audit_log}", "{membership}", "{chunk}"):
        path = path.replace(placeholder, "1")
    return path


def endpoint_names(patterns=None) -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            names |= endpoint_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names
