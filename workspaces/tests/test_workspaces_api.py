import pytest
from django.core.management import call_command
from django.utils import timezone

from workspaces.models import ApiKey, Workspace, hash_api_key
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_create_list_and_detail(client_for, admin_key):
    client = client_for(admin_key)
    created = client.post("/workspaces", {"id": "runbooks", "name": "Runbooks"}, format="json")
    assert created.status_code == 201
    assert created.json()["search_language"] == "english"
    assert client.get("/workspaces/runbooks").json()["name"] == "Runbooks"
    assert Workspace.objects.filter(pk="runbooks").exists()


def test_list_filters_and_paginates(client_for, viewer_key):
    for index in range(3):
        WorkspaceFactory(id=f"team-{index}", name=f"Team {index}")
    WorkspaceFactory(id="old", name="Old", archived_at=timezone.now())
    client = client_for(viewer_key)
    assert client.get("/workspaces").json()["count"] == 3
    assert client.get("/workspaces?status=archived").json()["results"][0]["id"] == "old"
    assert client.get("/workspaces?status=all").json()["count"] == 4
    assert client.get("/workspaces?q=TEAM-1").json()["count"] == 1
    page = client.get("/workspaces?page_size=2&page=2").json()
    assert page["count"] == 3 and len(page["results"]) == 1
    assert client.get("/workspaces?status=bogus").status_code == 400
    assert client.get("/workspaces?page=99").status_code == 404


def test_create_api_key_command(capsys, workspace):
    call_command("create_api_key", "--name", "ci", "--role", "editor", "--workspace", workspace.pk)
    raw_key = capsys.readouterr().out.strip()
    stored = ApiKey.objects.get(name="ci")
    assert stored.key_hash == hash_api_key(raw_key)
    assert stored.role == "editor" and stored.workspace == workspace
