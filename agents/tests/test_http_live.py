"""The MCP server at /mcp of a real uvicorn server, through the SDK's own streamable HTTP client:
every tool, with API keys of each kind, and gateway users asking a real access-control service."""

import pytest
from django.utils import timezone

from agents.tests.conftest import bearer
from chat.models import ChatLog
from core.roles import Role
from documents.tests.factories import ChunkFactory, DocumentFactory
from testing.access_control_server import AccessControlServer
from testing.mcp import call_tool, envelope, mcp_session, outcome, run_async
from testing.processes import AppServer
from workspaces.models import Workspace
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def key_server(django_db_setup):
    """One server for the module's API-key tests: starting one costs seconds; the data is each test's."""
    server = AppServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def access_service():
    with AccessControlServer() as service:
        yield service


@pytest.fixture(scope="module")
def gateway_server(django_db_setup, access_service):
    # No caching of the service's answers: each test scripts its own.
    server = AppServer(
        AUTH_MODE="gateway",
        ACCESS_CONTROL_URL=access_service.url_template,
        ACCESS_CONTROL_TIMEOUT_SECONDS="0.5",
        ACCESS_CONTROL_CACHE_SECONDS="0",
    )
    yield server
    server.stop()


@pytest.fixture
def alpha():
    workspace = WorkspaceFactory(id="alpha")
    document = DocumentFactory(workspace=workspace, title="Rollback runbook")
    chunk = ChunkFactory(document=document, text="To roll back a deployment, run kubectl rollout undo.")
    return workspace, document, chunk


def calls(workspace, document, chunk) -> dict:
    """Each tool with arguments that reach `workspace`'s objects."""
    return {
        "search_documents": {"query": "roll back a deployment", "workspace_id": workspace.pk},
        "get_document_context": {"chunk_id": chunk.pk},
        "fetch_document": {"document_id": str(document.pk)},
        "list_workspaces": {},
        "ask": {"question": "How do I roll back a deployment?", "workspace_id": workspace.pk},
    }


def outcomes(server, headers, arguments: dict) -> dict:
    url = server.base_url + "/mcp"
    return {name: outcome(call_tool(name, args, headers=headers, url=url)) for name, args in arguments.items()}


def refusal(answer) -> dict:
    error = envelope(answer)["error"]
    assert error["message"] and error["request_id"] and "Traceback" not in str(answer)
    return error


class TestWithApiKeys:
    def test_lists_every_tool_with_its_description_and_schema(self, key_server, alpha):
        headers = bearer(ApiKeyFactory())

        async def listing():
            async with mcp_session(key_server.base_url + "/mcp", headers=headers) as session:
                return (await session.list_tools()).tools

        tools = run_async(listing)
        assert {tool.name for tool in tools} == set(calls(*alpha))
        assert all(tool.description and tool.input_schema["type"] == "object" for tool in tools)

    def test_an_admin_calls_every_tool(self, key_server, alpha):
        workspace, document, chunk = alpha
        headers = {**bearer(ApiKeyFactory(role=Role.ADMIN)), "X-Request-ID": "live-admin-1"}
        url = key_server.base_url + "/mcp"
        answers = {name: call_tool(name, args, headers=headers, url=url) for name, args in calls(*alpha).items()}
        assert {name: outcome(answer) for name, answer in answers.items()} == dict.fromkeys(answers, "ok")
        assert answers["search_documents"].structured_content["results"][0]["scores"]["vector_rank"] == 1
        assert answers["get_document_context"].structured_content["chunk"]["chunk_id"] == chunk.pk
        assert answers["fetch_document"].structured_content["content"] == document.content
        assert [row["id"] for row in answers["list_workspaces"].structured_content["workspaces"]] == ["alpha"]
        asked = answers["ask"].structured_content
        assert asked["citations"] and asked["request_id"] == "live-admin-1"
        log = ChatLog.objects.get(pk=asked["chat_log_id"])
        assert log.actor.startswith("key:") and log.request_id == "live-admin-1" and log.answer == asked["answer"]

    def test_a_viewer_reads_but_may_not_ask(self, key_server, alpha):
        viewer = bearer(ApiKeyFactory(role=Role.VIEWER))
        assert outcomes(key_server, viewer, calls(*alpha)) == {
            "search_documents": "ok",
            "get_document_context": "ok",
            "fetch_document": "ok",
            "list_workspaces": "ok",
            "ask": "forbidden",
        }

    def test_a_key_of_another_workspace_finds_nothing_here(self, key_server, alpha):
        beta_key = bearer(ApiKeyFactory(role=Role.ADMIN, workspace=WorkspaceFactory(id="beta")))
        assert outcomes(key_server, beta_key, calls(*alpha)) == {
            "search_documents": "not_found",
            "get_document_context": "not_found",
            "fetch_document": "not_found",
            "list_workspaces": "ok",
            "ask": "not_found",
        }
        assert not ChatLog.objects.exists()

    def test_a_revoked_key_is_refused(self, key_server, alpha):
        revoked = bearer(ApiKeyFactory(role=Role.ADMIN, revoked_at=timezone.now()))
        answer = call_tool("list_workspaces", {}, headers=revoked, url=key_server.base_url + "/mcp")
        assert refusal(answer)["code"] == "unauthenticated"

    def test_an_archived_workspace_reads_but_refuses_to_be_asked(self, key_server, alpha):
        Workspace.objects.filter(pk="alpha").update(archived_at=timezone.now(), archive_reason="done")
        admin = bearer(ApiKeyFactory(role=Role.ADMIN))
        assert outcomes(key_server, admin, calls(*alpha)) == {
            "search_documents": "ok",
            "get_document_context": "ok",
            "fetch_document": "ok",
            "list_workspaces": "ok",
            "ask": "workspace_archived",
        }
        assert not ChatLog.objects.exists()


class TestWithGatewayUsers:
    def user(self, user_id: str, role: str = Role.EDITOR) -> dict:
        return {"X-User-Id": user_id, "X-User-Role": role, "Authorization": f"Bearer jwt-{user_id}"}

    def test_a_user_the_service_allows_calls_every_tool(self, gateway_server, access_service, alpha):
        access_service.set("alpha", "allow", user_id="allowed-1")
        assert set(outcomes(gateway_server, self.user("allowed-1"), calls(*alpha)).values()) == {"ok"}
        forwarded = access_service.requests_for("alpha")[-1].headers
        assert forwarded["Authorization"] == "Bearer jwt-allowed-1" and forwarded["X-User-Id"] == "allowed-1"

    @pytest.mark.parametrize("behaviour", ["deny", "error", "hang", "garbage", "redirect"])
    def test_a_user_is_denied_unless_the_service_says_yes(self, gateway_server, access_service, alpha, behaviour):
        user_id = f"denied-by-{behaviour}"
        access_service.set("alpha", behaviour, user_id=user_id)
        answers = outcomes(gateway_server, self.user(user_id), calls(*alpha))
        assert answers == {
            "search_documents": "not_found",
            "get_document_context": "not_found",
            "fetch_document": "not_found",
            "list_workspaces": "ok",
            "ask": "not_found",
        }
        listed = call_tool("list_workspaces", {}, headers=self.user(user_id), url=gateway_server.base_url + "/mcp")
        assert listed.structured_content["workspaces"] == []

    def test_a_request_without_the_gateways_headers_is_refused(self, gateway_server, alpha):
        headers = {"Authorization": "Bearer jwt-x"}
        answer = call_tool("list_workspaces", {}, headers=headers, url=gateway_server.base_url + "/mcp")
        assert refusal(answer)["code"] == "unauthenticated"
