"""Bulk archive/restore by ids and by filter, with preview and confirmation."""

import pytest

from audit.models import AuditLog
from workspaces.models import Workspace
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(db):
    """Four 'team-*' workspaces (one already archived) and one unrelated."""
    workspaces = [WorkspaceFactory(id=f"team-{n}") for n in range(1, 5)]
    Workspace.objects.filter(pk="team-4").update(archived_at="2026-01-01T00:00:00Z", archive_reason="old")
    WorkspaceFactory(id="finance")
    return workspaces


def archived_ids():
    return set(Workspace.objects.archived().values_list("pk", flat=True))


def test_bulk_archive_reports_an_outcome_per_id_and_lists_unknown_ids(client_for, admin_key, teams):
    response = client_for(admin_key).post(
        "/workspaces/bulk/archive",
        {"ids": ["team-1", "team-4", "nope", "team-2", "team-1"], "reason": "reorg"},
        format="json",
        HTTP_X_REQUEST_ID="bulk-1",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["results"] == [
        {"id": "team-1", "outcome": "archived"},
        {"id": "team-4", "outcome": "already_archived"},
        {"id": "team-2", "outcome": "archived"},
    ]
    assert body["not_found"] == ["nope"]
    assert (body["requested"], body["changed"], body["unchanged"]) == (4, 2, 1)
    assert archived_ids() == {"team-1", "team-2", "team-4"}
    assert Workspace.objects.get(pk="team-1").archive_reason == "reorg"
    log = AuditLog.objects.get(action="workspace.bulk_archive")
    assert log.workspace_ids == ["team-1", "team-2"] and log.reason == "reorg" and log.request_id == "bulk-1"
    assert log.metadata == {"requested": 4, "changed": 2, "unchanged": 1, "not_found": 1}


def test_bulk_restore(client_for, admin_key, teams):
    body = client_for(admin_key).post("/workspaces/bulk/restore", {"ids": ["team-4", "team-3"]}, format="json").json()
    assert body["results"] == [{"id": "team-4", "outcome": "restored"}, {"id": "team-3", "outcome": "already_active"}]
    assert archived_ids() == set()
    assert AuditLog.objects.get(action="workspace.bulk_restore").workspace_ids == ["team-4"]


def test_bulk_by_ids_with_a_scoped_key_treats_other_workspaces_as_unknown(client_for, teams):
    from core.roles import Role
    from workspaces.tests.factories import ApiKeyFactory

    scoped = ApiKeyFactory(role=Role.ADMIN, workspace=Workspace.objects.get(pk="team-1"))
    body = client_for(scoped).post("/workspaces/bulk/archive", {"ids": ["team-1", "team-2"]}, format="json").json()
    assert body["results"] == [{"id": "team-1", "outcome": "archived"}]
    assert body["not_found"] == ["team-2"]
    assert archived_ids() == {"team-1", "team-4"}


@pytest.mark.parametrize(
    "payload",
    [{}, {"ids": []}, {"ids": "team-1"}, {"ids": [1, {"a": 2}]}, {"ids": ["x"] * 1001}, {"ids": ["a" * 65]}],
)
def test_bulk_by_ids_rejects_bad_input(client_for, admin_key, teams, payload):
    response = client_for(admin_key).post("/workspaces/bulk/archive", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert archived_ids() == {"team-4"}


def test_preview_counts_what_would_change_with_a_bounded_sample(client_for, admin_key, teams):
    client = client_for(admin_key)
    body = client.get("/workspaces/bulk/preview", {"action": "archive", "q": "team", "sample_limit": 2}).json()
    assert body["total"] == 3  # team-4 is already archived
    assert [item["id"] for item in body["sample"]] == ["team-1", "team-2"]
    restore = client.get("/workspaces/bulk/preview", {"action": "restore", "q": "team"}).json()
    assert restore["total"] == 1 and restore["sample"][0]["id"] == "team-4"


def test_preview_infers_the_action_from_the_status_as_documented(client_for, admin_key, teams):
    client = client_for(admin_key)
    archive = client.get("/workspaces/bulk/preview?status=active&q=team&sample_limit=20").json()
    assert (archive["action"], archive["total"]) == ("archive", 3)
    restore = client.get("/workspaces/bulk/preview?status=archived&q=team").json()
    assert (restore["action"], restore["total"]) == ("restore", 1)
    same = client.get("/workspaces/bulk/preview?status=active&action=archive&q=team").json()
    assert same["total"] == 3


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"action": "delete"},
        {"action": "archive", "sample_limit": 101},
        {"action": "archive", "sample_limit": "x"},
        {"status": "all"},
        {"status": "archived", "action": "archive"},
    ],
)
def test_preview_rejects_bad_input(client_for, admin_key, teams, query):
    assert client_for(admin_key).get("/workspaces/bulk/preview", query).status_code == 400


def test_archive_matching_with_the_previewed_total_archives_them_in_one_audited_operation(client_for, admin_key, teams):
    client = client_for(admin_key)
    total = client.get("/workspaces/bulk/preview", {"action": "archive", "q": "team"}).json()["total"]
    response = client.post(
        "/workspaces/bulk/archive-matching",
        {"q": "team", "confirm": True, "expected_total": total, "reason": "quarter end"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"action": "archive", "total": 3, "workspace_ids": ["team-1", "team-2", "team-3"]}
    assert archived_ids() == {"team-1", "team-2", "team-3", "team-4"}
    log = AuditLog.objects.get(action="workspace.archive_matching")
    assert log.workspace_ids == ["team-1", "team-2", "team-3"] and log.reason == "quarter end"
    assert log.metadata == {"filters": {"q": "team"}, "total": 3}


def test_archive_matching_with_a_stale_expected_total_is_409_and_archives_nothing(client_for, admin_key, teams):
    client = client_for(admin_key)
    total = client.get("/workspaces/bulk/preview", {"action": "archive", "q": "team"}).json()["total"]
    WorkspaceFactory(id="team-5")  # created after the preview
    response = client.post(
        "/workspaces/bulk/archive-matching", {"q": "team", "confirm": True, "expected_total": total}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "expected_total_mismatch"
    assert (error["expected_total"], error["actual_total"]) == (3, 4)
    assert archived_ids() == {"team-4"}
    assert not AuditLog.objects.filter(action="workspace.archive_matching").exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"q": "team", "expected_total": 3},
        {"q": "team", "confirm": False, "expected_total": 3},
        {"q": "team", "confirm": True},
        {"q": "team", "confirm": True, "expected_total": -1},
        {"q": "team", "confirm": True, "expected_total": "three"},
        {"confirm": True, "expected_total": 3, "created_before": "not a date"},
    ],
)
def test_archive_matching_requires_confirmation_and_a_total(client_for, admin_key, teams, payload):
    response = client_for(admin_key).post("/workspaces/bulk/archive-matching", payload, format="json")
    assert response.status_code == 400
    assert archived_ids() == {"team-4"}


def test_restore_matching(client_for, admin_key, teams):
    response = client_for(admin_key).post(
        "/workspaces/bulk/restore-matching", {"q": "team", "confirm": True, "expected_total": 1}, format="json"
    )
    assert response.json()["workspace_ids"] == ["team-4"]
    assert archived_ids() == set()


def test_matching_filters_by_creation_time(client_for, admin_key, teams):
    Workspace.objects.filter(pk="team-1").update(created_at="2020-01-01T00:00:00Z")
    body = (
        client_for(admin_key)
        .get("/workspaces/bulk/preview", {"action": "archive", "created_before": "2021-01-01T00:00:00Z"})
        .json()
    )
    assert [item["id"] for item in body["sample"]] == ["team-1"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/workspaces/bulk/archive"),
        ("post", "/workspaces/bulk/restore"),
        ("get", "/workspaces/bulk/preview"),
        ("post", "/workspaces/bulk/archive-matching"),
        ("post", "/workspaces/bulk/restore-matching"),
    ],
)
def test_bulk_endpoints_are_for_admins(client_for, editor_key, teams, method, path):
    response = getattr(client_for(editor_key), method)(path, {}, format="json" if method == "post" else None)
    assert response.status_code == 403


@pytest.mark.parametrize("reserved", ["bulk", "audit-logs"])
def test_reserved_ids_cannot_be_created(client_for, admin_key, reserved):
    response = client_for(admin_key).post("/workspaces", {"id": reserved, "name": "x"}, format="json")
    assert response.status_code == 400
