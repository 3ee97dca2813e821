"""Creating, editing, archiving and restoring workspaces from the web app, as the API allows it."""

import pytest
from django.test import Client

from audit.models import AuditLog
from core.roles import Role
from workspaces.models import Workspace
from workspaces.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_create_a_workspace_and_a_taken_or_bad_id_is_named(workspace):
    staff = client_of(UserFactory(is_staff=True))
    assert "New workspace" in staff.get("/app/").content.decode()
    response = staff.post("/app/workspaces/new/", {"id": "ops", "name": "Operations", "search_language": "english"})
    assert response["Location"] == "/app/w/ops/"
    assert Workspace.objects.filter(pk="ops", name="Operations").exists()
    assert AuditLog.objects.filter(action="workspace.create", workspace_ids=["ops"]).exists()
    taken = staff.post("/app/workspaces/new/", {"id": "alpha", "name": "Again", "search_language": "english"})
    assert taken.status_code == 409 and b"already exists" in taken.content
    bad = staff.post("/app/workspaces/new/", {"id": "Not A Slug", "name": "x", "search_language": "klingon"})
    assert bad.status_code == 400
    assert b"lower-case letters" in bad.content and b"Unknown text-search language" in bad.content


def test_members_cannot_create_workspaces_even_as_admins(workspace):
    admin_of_alpha = client_of(MembershipFactory(workspace=workspace, role=Role.ADMIN).user)
    assert "New workspace" not in admin_of_alpha.get("/app/").content.decode()
    assert admin_of_alpha.get("/app/workspaces/new/").status_code == 403
    response = admin_of_alpha.post("/app/workspaces/new/", {"id": "mine", "name": "Mine", "search_language": "english"})
    assert response.status_code == 403 and not Workspace.objects.filter(pk="mine").exists()


def test_a_workspace_admin_edits_archives_and_restores(workspace):
    admin = client_of(MembershipFactory(workspace=workspace, role=Role.ADMIN).user)
    assert admin.get("/app/w/alpha/edit/").status_code == 200
    admin.post("/app/w/alpha/edit/", {"name": "Alpha team", "description": "Runbooks.", "search_language": "english"})
    workspace.refresh_from_db()
    assert (workspace.name, workspace.description) == ("Alpha team", "Runbooks.")
    admin.post("/app/w/alpha/archive/", {"reason": "Moved to the wiki"})
    workspace.refresh_from_db()
    assert workspace.is_archived and workspace.archive_reason == "Moved to the wiki"
    page = admin.get("/app/w/alpha/").content.decode()
    assert "Moved to the wiki" in page and "Restore" in page
    assert admin.post("/app/w/alpha/edit/", {"name": "x", "search_language": "english"}).status_code == 409
    admin.post("/app/w/alpha/restore/")
    workspace.refresh_from_db()
    assert not workspace.is_archived
    actions = set(AuditLog.objects.filter(workspace_ids=["alpha"]).values_list("action", flat=True))
    assert {"workspace.update", "workspace.archive", "workspace.restore"} <= actions


def test_editors_and_outsiders_cannot_manage_a_workspace(workspace, other_workspace):
    editor = client_of(MembershipFactory(workspace=workspace, role=Role.EDITOR).user)
    assert "Archive" not in editor.get("/app/w/alpha/").content.decode()
    for response in (
        editor.get("/app/w/alpha/edit/"),
        editor.post("/app/w/alpha/archive/", {"reason": "no"}),
        editor.post("/app/w/alpha/restore/"),
    ):
        assert response.status_code == 403
    assert editor.post("/app/w/beta/archive/").status_code == 404
    workspace.refresh_from_db()
    other_workspace.refresh_from_db()
    assert not workspace.is_archived and not other_workspace.is_archived
