"""Admin actions go through the same services as the API, and are audited."""

import pytest

from audit.models import AuditLog
from workspaces.models import ApiKey, Workspace
from workspaces.tests.factories import ApiKeyFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_admin_bulk_archive_and_restore(admin_client):
    for workspace_id in ("one", "two"):
        WorkspaceFactory(id=workspace_id)
    response = admin_client.post(
        "/admin/workspaces/workspace/",
        {"action": "archive_selected", "_selected_action": ["one", "two"]},
        SERVER_NAME="localhost",
    )
    assert response.status_code == 302
    assert Workspace.objects.archived().count() == 2
    log = AuditLog.objects.get(action="workspace.bulk_archive")
    assert sorted(log.workspace_ids) == ["one", "two"] and log.actor == "user:admin"
    admin_client.post(
        "/admin/workspaces/workspace/",
        {"action": "restore_selected", "_selected_action": ["one"]},
        SERVER_NAME="localhost",
    )
    assert list(Workspace.objects.archived().values_list("pk", flat=True)) == ["two"]


def test_admin_revoke_action_is_audited(admin_client):
    api_key = ApiKeyFactory()
    admin_client.post(
        "/admin/workspaces/apikey/",
        {"action": "revoke", "_selected_action": [api_key.pk]},
        SERVER_NAME="localhost",
    )
    assert ApiKey.objects.get(pk=api_key.pk).is_revoked
    log = AuditLog.objects.get(action="api_key.revoke")
    assert log.actor == "user:admin" and log.metadata["prefix"] == api_key.prefix
