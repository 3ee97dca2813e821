import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from core.roles import Role
from documents.tests.factories import DocumentFactory
from workspaces.models import ApiKey
from workspaces.services import api_key_create, api_key_revoke
from workspaces.tests.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def get_with_authorization(value):
    return (
        APIClient().get("/workspaces", HTTP_AUTHORIZATION=value)
        if value is not None
        else APIClient().get("/workspaces")
    )


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer two words", "bearer"],
)
def test_missing_or_malformed_authorization_is_401(authorization):
    response = get_with_authorization(authorization)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_unknown_key_is_401():
    assert get_with_authorization("Bearer rag_not-a-real-key").status_code == 401


def test_revoked_key_is_401(client_for, revoked_key):
    assert client_for(revoked_key).get("/workspaces").status_code == 401


def test_valid_key_is_accepted_and_scheme_is_case_insensitive(viewer_key):
    assert get_with_authorization(f"bearer {viewer_key.raw_key}").status_code == 200


def test_keys_are_stored_only_as_hashes():
    api_key, raw_key = api_key_create(name="ci", role=Role.EDITOR)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert raw_key not in {stored.key_hash, stored.prefix, stored.name}
    assert raw_key.startswith(stored.prefix) and len(stored.prefix) < len(raw_key) // 3
    assert APIClient().get("/workspaces", HTTP_AUTHORIZATION=f"Bearer {raw_key}").status_code == 200
    api_key_revoke(api_key=stored)
    assert APIClient().get("/workspaces", HTTP_AUTHORIZATION=f"Bearer {raw_key}").status_code == 401


def test_last_used_is_recorded(client_for, viewer_key):
    assert viewer_key.last_used_at is None
    client_for(viewer_key).get("/workspaces")
    viewer_key.refresh_from_db()
    assert viewer_key.last_used_at is not None


def test_role_too_low_is_403(client_for, viewer_key, editor_key, workspace):
    document = DocumentFactory(workspace=workspace)
    assert client_for(viewer_key, workspace).delete(f"/documents/{document.pk}").status_code == 403
    assert client_for(editor_key).post("/workspaces", {"id": "new", "name": "New"}, format="json").status_code == 403
    assert client_for(editor_key, workspace).delete(f"/documents/{document.pk}").status_code == 204


def test_another_workspaces_object_is_404_not_403(
    client_for, admin_key, other_workspace_key, workspace, other_workspace
):
    document = DocumentFactory(workspace=workspace)
    scoped = client_for(other_workspace_key, workspace)
    # A key scoped to beta asking for alpha: alpha "does not exist" for it.
    assert scoped.get(f"/documents/{document.pk}").status_code == 404
    assert scoped.get("/documents").status_code == 404
    assert scoped.get(f"/workspaces/{workspace.pk}").status_code == 404
    assert scoped.delete(f"/documents/{document.pk}").status_code == 404
    # Through its own workspace, alpha's document id is unknown too.
    assert client_for(other_workspace_key, other_workspace).get(f"/documents/{document.pk}").status_code == 404
    # Same answer as for a workspace that does not exist at all.
    assert client_for(admin_key, "no-such-workspace").get("/documents").status_code == 404
    # The scoped key lists only its own workspace.
    listed = client_for(other_workspace_key).get("/workspaces?status=all").json()["results"]
    assert [row["id"] for row in listed] == [other_workspace.pk]
    assert document.__class__.objects.filter(pk=document.pk).exists()


def test_scoped_key_defaults_to_its_own_workspace(client_for, other_workspace_key, other_workspace):
    DocumentFactory(workspace=other_workspace)
    response = client_for(other_workspace_key).get("/documents")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_workspace_is_required_for_unscoped_keys(client_for, viewer_key):
    response = client_for(viewer_key).get("/documents")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "workspace_required"


@override_settings(API_KEYS=["boot-admin", "boot-viewer", "boot-default"], API_KEY_ROLES=["admin", "viewer"])
def test_bootstrap_keys_from_settings():
    def post(key):
        return APIClient().post(
            "/workspaces", {"id": f"w-{key}", "name": "x"}, format="json", HTTP_AUTHORIZATION=f"Bearer {key}"
        )

    assert post("boot-admin").status_code == 201
    assert post("boot-viewer").status_code == 403
    assert post("boot-default").status_code == 403  # a key without a listed role is a viewer
    assert post("not-listed").status_code == 401
    assert not ApiKey.objects.exists()  # bootstrap keys are never written to the database


def test_scoped_admin_cannot_create_workspaces(client_for, other_workspace_key):
    response = client_for(other_workspace_key).post("/workspaces", {"id": "x", "name": "x"}, format="json")
    assert response.status_code == 403


def test_api_key_factory_makes_usable_keys():
    key = ApiKeyFactory(role=Role.ADMIN)
    assert APIClient().get("/workspaces", HTTP_AUTHORIZATION=f"Bearer {key.raw_key}").status_code == 200
