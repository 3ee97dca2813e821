"""Gateway mode against a real access-control service on loopback: it fails closed."""

import time

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from core.checks import check_configuration

pytestmark = pytest.mark.django_db


def gateway_client(user_id="ada", role="admin", token="jwt-for-ada"):  # noqa: S107 - a test token
    client = APIClient()
    headers = {"HTTP_X_USER_ID": user_id, "HTTP_X_USER_ROLE": role}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    client.credentials(**headers)
    return client


def test_allowed_user_reaches_the_workspace_and_the_callers_credentials_are_forwarded(access_control_server, workspace):
    access_control_server.set("alpha", "allow")
    response = gateway_client().get("/workspaces/alpha")
    assert response.status_code == 200
    assert response.json()["id"] == "alpha"
    (asked,) = access_control_server.requests_for("alpha")
    assert asked.headers["Authorization"] == "Bearer jwt-for-ada"
    assert asked.headers["X-User-Id"] == "ada"


@pytest.mark.parametrize("behaviour", ["deny", "error", "garbage", "redirect", "hang"])
def test_anything_but_200_denies_and_looks_like_a_missing_workspace(access_control_server, workspace, behaviour):
    access_control_server.set("alpha", behaviour)
    started = time.monotonic()
    response = gateway_client().get("/workspaces/alpha", HTTP_X_WORKSPACE_ID="alpha")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert len(access_control_server.requests_for("alpha")) == 1
    # A hang is cut off by ACCESS_CONTROL_TIMEOUT_SECONDS (0.5 s here), not waited out.
    assert time.monotonic() - started < 10


def test_denied_user_cannot_read_documents_or_chat(access_control_server, workspace):
    access_control_server.set("alpha", "deny")
    client = gateway_client()
    assert client.get("/documents", HTTP_X_WORKSPACE_ID="alpha").status_code == 404
    assert client.post("/chat", {"question": "hi"}, format="json", HTTP_X_WORKSPACE_ID="alpha").status_code == 404


def test_definite_answers_are_cached_failures_are_asked_again(access_control_server, workspace, other_workspace):
    access_control_server.set("alpha", "allow")
    access_control_server.set("beta", "error")
    client = gateway_client()
    for _ in range(3):
        assert client.get("/workspaces/alpha").status_code == 200
        assert client.get("/workspaces/beta").status_code == 404
    assert len(access_control_server.requests_for("alpha")) == 1
    assert len(access_control_server.requests_for("beta")) == 3


def test_cache_is_per_caller_credentials(access_control_server, workspace):
    access_control_server.set("alpha", "allow")
    assert gateway_client(token="first").get("/workspaces/alpha").status_code == 200
    assert gateway_client(token="second").get("/workspaces/alpha").status_code == 200
    assert [r.headers["Authorization"] for r in access_control_server.requests_for("alpha")] == [
        "Bearer first",
        "Bearer second",
    ]


def test_cached_answer_expires(access_control_server, workspace, settings):
    settings.ACCESS_CONTROL_CACHE_SECONDS = 1
    access_control_server.set("alpha", "allow")
    client = gateway_client()
    assert client.get("/workspaces/alpha").status_code == 200
    access_control_server.set("alpha", "deny")
    assert client.get("/workspaces/alpha").status_code == 200  # still the cached allow
    time.sleep(1.2)
    assert client.get("/workspaces/alpha").status_code == 404


def test_list_shows_only_allowed_workspaces_and_stops_asking_a_failing_service(access_control_server, db):
    from workspaces.tests.factories import WorkspaceFactory

    for workspace_id in ["a-allowed", "b-hangs", "c-allowed", "d-allowed"]:
        WorkspaceFactory(id=workspace_id)
    access_control_server.set("a-allowed", "allow")
    access_control_server.set("b-hangs", "hang")
    access_control_server.set("c-allowed", "allow")
    access_control_server.set("d-allowed", "allow")
    response = gateway_client().get("/workspaces")
    assert response.status_code == 200
    # Fail closed: after the hang, nothing more is asked and the rest are denied.
    assert [item["id"] for item in response.json()["results"]] == ["a-allowed"]
    assert access_control_server.requests_for("c-allowed") == []


def test_gateway_role_is_enforced(access_control_server, workspace):
    access_control_server.set("alpha", "allow")
    viewer = gateway_client(user_id="vic", role="viewer", token="jwt-vic")
    assert viewer.get("/documents", HTTP_X_WORKSPACE_ID="alpha").status_code == 200
    response = viewer.post("/chat", {"question": "hi"}, format="json", HTTP_X_WORKSPACE_ID="alpha")
    assert response.status_code == 403
    assert viewer.post("/workspaces/alpha/archive", {}, format="json").status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_USER_ROLE": "admin"},
        {"HTTP_X_USER_ID": "ada"},
        {"HTTP_X_USER_ID": "ada", "HTTP_X_USER_ROLE": "root"},
        {"HTTP_X_USER_ID": "x" * 500, "HTTP_X_USER_ROLE": "admin"},
    ],
)
def test_missing_or_bad_identity_is_401(access_control_server, workspace, headers):
    response = APIClient().get("/workspaces", **headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_api_keys_are_not_accepted_in_gateway_mode(access_control_server, admin_key, client_for):
    assert client_for(admin_key).get("/workspaces").status_code == 401


def test_gateway_actor_is_recorded_in_the_audit_log(access_control_server, workspace):
    access_control_server.set("alpha", "allow")
    response = gateway_client().post("/workspaces/alpha/archive", {"reason": "done"}, format="json")
    assert response.status_code == 200
    from audit.models import AuditLog

    assert AuditLog.objects.get(action="workspace.archive").actor == "user:ada"


@override_settings(AUTH_MODE="gateway", ACCESS_CONTROL_URL="")
def test_gateway_mode_without_a_url_template_fails_the_check():
    messages = {message.id for message in check_configuration()}
    assert "ragsite.E016" in messages


@override_settings(AUTH_MODE="gateway", ACCESS_CONTROL_URL="https://authz.internal/workspaces/{workspace_id}")
def test_gateway_mode_with_a_url_template_passes_the_check():
    assert "ragsite.E016" not in {message.id for message in check_configuration()}


def test_bulk_by_ids_asks_only_about_the_listed_workspaces(access_control_server, workspace, other_workspace):
    access_control_server.set("alpha", "allow")
    response = gateway_client().post("/workspaces/bulk/archive", {"ids": ["alpha"]}, format="json")
    assert response.json()["results"] == [{"id": "alpha", "outcome": "archived"}]
    assert access_control_server.requests_for("beta") == []
