import pytest

from audit.models import AuditLog
from documents.tests.factories import DocumentFactory
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def test_archive_and_restore_are_audited_in_their_transaction(client_for, admin_key, workspace):
    client = client_for(admin_key)
    archived = client.post(
        f"/workspaces/{workspace.pk}/archive",
        {"reason": "team disbanded"},
        format="json",
        HTTP_X_REQUEST_ID="req-archive-1",
    )
    assert archived.status_code == 200
    body = archived.json()
    assert body["is_archived"] and body["archive_reason"] == "team disbanded"
    log = AuditLog.objects.get(action="workspace.archive")
    assert log.workspace_ids == [workspace.pk] and log.reason == "team disbanded"
    assert log.request_id == "req-archive-1" and log.actor.startswith("key:")
    # Archiving again changes nothing and writes no second row.
    assert client.post(f"/workspaces/{workspace.pk}/archive", {}, format="json").status_code == 200
    assert AuditLog.objects.filter(action="workspace.archive").count() == 1
    restored = client.post(f"/workspaces/{workspace.pk}/restore", {}, format="json").json()
    assert not restored["is_archived"] and restored["archive_reason"] == ""
    assert AuditLog.objects.filter(action="workspace.restore").count() == 1


def test_archived_workspace_reads_work_and_writes_answer_409(client_for, admin_key, editor_key, workspace):
    document = DocumentFactory(workspace=workspace)
    client_for(admin_key).post(f"/workspaces/{workspace.pk}/archive", {"reason": "x"}, format="json")
    editor = client_for(editor_key, workspace)
    assert editor.get(f"/documents/{document.pk}").status_code == 200
    for response in (
        editor.post("/documents", {"content": "# New"}, format="json"),
        editor.delete(f"/documents/{document.pk}"),
        editor.post("/documents/reindex", {}, format="json"),
        client_for(admin_key).patch(f"/workspaces/{workspace.pk}", {"name": "New"}, format="json"),
    ):
        assert response.status_code == 409 and response.json()["error"]["code"] == "workspace_archived"


def test_update_validates_and_audits_what_changed(client_for, admin_key, editor_key, workspace):
    client = client_for(admin_key)
    response = client.patch(f"/workspaces/{workspace.pk}", {"name": "Renamed", "description": "d"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    assert AuditLog.objects.get(action="workspace.update").metadata == {"changed": ["description", "name"]}
    bad = client.patch(f"/workspaces/{workspace.pk}", {"search_language": "klingon"}, format="json")
    assert bad.status_code == 400 and "klingon" in bad.json()["error"]["message"]
    assert (
        client.post("/workspaces", {"id": "w2", "name": "W", "search_language": "nope"}, format="json").status_code
        == 400
    )
    assert client_for(editor_key).patch(f"/workspaces/{workspace.pk}", {"name": "x"}, format="json").status_code == 403
    assert Workspace.objects.get(pk=workspace.pk).name == "Renamed"


def test_audit_logs_filter_and_respect_scope(client_for, admin_key, other_workspace_key, workspace, other_workspace):
    admin = client_for(admin_key)
    admin.post("/workspaces", {"id": "gamma", "name": "Gamma"}, format="json")
    admin.post(f"/workspaces/{workspace.pk}/archive", {"reason": "r"}, format="json", HTTP_X_REQUEST_ID="req-42")
    admin.post(f"/workspaces/{other_workspace.pk}/archive", {"reason": "r"}, format="json")
    assert admin.get("/workspaces/audit-logs").json()["count"] == 3
    assert admin.get("/workspaces/audit-logs?action=workspace.archive").json()["count"] == 2
    assert admin.get(f"/workspaces/audit-logs?workspace_id={workspace.pk}").json()["count"] == 1
    actor = AuditLog.objects.first().actor
    assert admin.get("/workspaces/audit-logs", {"actor": actor}).json()["count"] == 3
    assert admin.get("/workspaces/audit-logs?actor=key:nobody").json()["count"] == 0
    rows = admin.get("/workspaces/audit-logs?request_id=req-42").json()["results"]
    assert [row["workspace_ids"] for row in rows] == [[workspace.pk]]
    assert admin.get(f"/workspaces/audit-logs/{rows[0]['id']}").json()["action"] == "workspace.archive"
    assert admin.get("/workspaces/audit-logs?since=not-a-date").status_code == 400
    # A key scoped to beta sees beta's rows only, and alpha's row is "not found".
    scoped = client_for(other_workspace_key)
    assert scoped.get("/workspaces/audit-logs").json()["count"] == 1
    assert scoped.get(f"/workspaces/audit-logs/{rows[0]['id']}").status_code == 404
    assert scoped.post(f"/workspaces/{workspace.pk}/archive", {}, format="json").status_code == 404


def test_audit_logs_are_for_admins(client_for, editor_key):
    assert client_for(editor_key).get("/workspaces/audit-logs").status_code == 403
