"""Every error answers the one envelope: {"error": {"code", "message", "request_id"}}."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.roles import Role
from workspaces.tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def assert_envelope(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response["X-Request-ID"]
    return error


def test_unknown_url_is_404_envelope(client_for):
    assert_envelope(Client().get("/nope"), 404, "not_found")
    assert_envelope(client_for(ApiKeyFactory()).post("/nope/deeper", {}, format="json"), 404, "not_found")


def test_malformed_json_is_400_never_500(client_for, admin_key):
    response = client_for(admin_key).post("/workspaces", data="{bad", content_type="application/json")
    assert_envelope(response, 400, "malformed_request")


def test_validation_error_names_the_field(client_for, admin_key):
    response = client_for(admin_key).post("/workspaces", {"id": "Not A Slug!", "name": "x"}, format="json")
    error = assert_envelope(response, 400, "validation_error")
    assert error["message"].startswith("id:")
    assert "id" in error["fields"]


def test_wrong_json_type_is_400(client_for, admin_key):
    response = client_for(admin_key).post("/workspaces", [1, 2, 3], format="json")
    assert_envelope(response, 400, "validation_error")


def test_401_envelope_with_bearer_challenge():
    response = APIClient().get("/workspaces")
    assert_envelope(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_403_envelope(client_for, viewer_key):
    assert_envelope(
        client_for(viewer_key).post("/workspaces", {"id": "x", "name": "x"}, format="json"), 403, "forbidden"
    )


def test_405_envelope(client_for, admin_key):
    assert_envelope(client_for(admin_key).put("/workspaces", {}, format="json"), 405, "method_not_allowed")


def test_409_envelope_for_existing_workspace(client_for, admin_key, workspace):
    response = client_for(admin_key).post("/workspaces", {"id": workspace.pk, "name": "again"}, format="json")
    assert_envelope(response, 409, "workspace_exists")


def test_409_envelope_for_writes_to_archived_workspace(client_for, editor_key, workspace):
    from django.utils import timezone

    from documents.tests.factories import DocumentFactory

    document = DocumentFactory(workspace=workspace)
    workspace.archived_at = timezone.now()
    workspace.save()
    client = client_for(editor_key, workspace)
    assert_envelope(client.delete(f"/documents/{document.pk}"), 409, "workspace_archived")
    assert client.get(f"/documents/{document.pk}").status_code == 200  # reads keep working


def test_429_envelope_with_retry_after(client_for, monkeypatch):
    from workspaces.throttling import PerKeyRateThrottle

    monkeypatch.setattr(PerKeyRateThrottle, "THROTTLE_RATES", {"per_key": "2/min"})
    client = client_for(ApiKeyFactory(role=Role.VIEWER))
    assert [client.get("/workspaces").status_code for _ in range(2)] == [200, 200]
    response = client.get("/workspaces")
    assert_envelope(response, 429, "rate_limited")
    assert int(response["Retry-After"]) >= 1


@pytest.mark.urls("ragsite.tests.urls_failing")
def test_500_envelope_hides_internals():
    response = APIClient().get("/crash")
    error = assert_envelope(response, 500, "internal_error")
    assert "boom" not in response.content.decode()
    assert error["message"] == "Something went wrong on our side."


def test_request_id_is_generated_and_accepted_from_the_caller():
    generated = Client().get("/health")["X-Request-ID"]
    assert len(generated) == 32
    assert Client().get("/health", HTTP_X_REQUEST_ID="trace-abc.123")["X-Request-ID"] == "trace-abc.123"
    # Anything that is not a sane token is replaced, so ids are safe to log.
    replaced = Client().get("/health", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert replaced != "bad id\nwith newline" and len(replaced) == 32


def test_rate_limit_is_per_key_and_counted_in_the_shared_redis_cache(client_for, monkeypatch):
    from django.core.cache import cache, caches
    from django.core.cache.backends.redis import RedisCache

    from workspaces.throttling import PerKeyRateThrottle

    monkeypatch.setattr(PerKeyRateThrottle, "THROTTLE_RATES", {"per_key": "2/min"})
    busy, quiet = ApiKeyFactory(role=Role.VIEWER), ApiKeyFactory(role=Role.VIEWER)
    busy_client = client_for(busy)
    assert [busy_client.get("/workspaces").status_code for _ in range(3)] == [200, 200, 429]
    assert client_for(quiet).get("/workspaces").status_code == 200
    # Every server process and worker shares this count: it lives in Redis, not in process memory.
    assert isinstance(caches["default"], RedisCache)
    from workspaces.selectors import principal_for_key

    throttle_key = PerKeyRateThrottle.cache_format % {
        "scope": "per_key",
        "ident": principal_for_key(busy.raw_key).actor,
    }
    assert len(cache.get(throttle_key)) == 2


@pytest.mark.parametrize("workspace_id", ["a\x00b", "x" * 5000, "../../etc/passwd", "alpha beta"])
def test_impossible_workspace_ids_are_404_never_500(client_for, admin_key, workspace, workspace_id):
    client = client_for(admin_key)
    for response in (
        client.get("/documents", HTTP_X_WORKSPACE_ID=workspace_id),
        client.get("/chat/sessions", {"workspace_id": workspace_id}),
        client.get(f"/workspaces/{workspace_id}".replace("\x00", "%00")),
    ):
        assert_envelope(response, 404, "not_found")


@pytest.mark.parametrize("text", ["a\x00b", "x" * 5000])
def test_hostile_text_in_bulk_and_export_requests_is_400(client_for, admin_key, workspace, text):
    client = client_for(admin_key, workspace)
    for response in (
        client.post("/workspaces/bulk/archive", {"ids": [text]}, format="json"),
        client.get("/workspaces/bulk/preview", {"action": "archive", "q": text}),
        client.post("/exports/jobs", {"export_type": "chat_logs", "filters": {"q": text}}, format="json"),
    ):
        assert_envelope(response, 400, "validation_error")


def test_the_admin_answers_html_error_pages(admin_client):
    response = admin_client.get("/admin/no-such-app/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "<!doctype html>" in response.content.decode()
    forged = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "admin", "password": "x"})
    assert forged.status_code == 403 and forged["Content-Type"].startswith("text/html")
    assert "CSRF verification failed" in forged.content.decode()
