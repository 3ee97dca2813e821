"""The workspace list's bulk actions: archive or restore the selected workspaces, or everything
the filter matches after a preview. The same services and the same reachable set as the API."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from core.roles import Role
from workspaces.models import Workspace
from workspaces.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

BULK = "/app/workspaces/bulk/"
MATCHING = "/app/workspaces/bulk/matching/"


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def archived_ids() -> set[str]:
    return set(Workspace.objects.archived().values_list("pk", flat=True))


@pytest.fixture
def teams(db):
    """Three active 'team-*' workspaces, one archived, and an unrelated one."""
    for n in range(1, 4):
        WorkspaceFactory(id=f"team-{n}", name=f"Team {n}")
    WorkspaceFactory(id="team-4", name="Team 4", archived_at=timezone.now(), archive_reason="old")
    WorkspaceFactory(id="finance", name="Finance")


@pytest.fixture
def staff(db):
    return signed_in(UserFactory(is_staff=True, username="root"))


def test_the_list_offers_bulk_controls_only_on_rows_the_person_administers(teams):
    person = UserFactory()
    MembershipFactory(user=person, workspace_id="team-1", role=Role.ADMIN)
    MembershipFactory(user=person, workspace_id="team-2", role=Role.EDITOR)
    page = signed_in(person).get("/app/", {"q": "team"}).content.decode()
    assert 'value="team-1" aria-label="Select Team 1"' in page
    assert "Select Team 2" not in page
    assert "Archive selected" in page and "Archive everything matching" in page
    viewer = UserFactory()
    MembershipFactory(user=viewer, workspace_id="team-1", role=Role.VIEWER)
    page = signed_in(viewer).get("/app/").content.decode()
    assert "Team 1" in page and "Archive selected" not in page and 'name="ids"' not in page


def test_the_buttons_follow_the_status_filter(staff, teams):
    active = staff.get("/app/").content.decode()
    assert "Archive selected" in active and "Restore selected" not in active
    archived = staff.get("/app/", {"status": "archived"}).content.decode()
    assert "Restore selected" in archived and "Archive selected" not in archived
    assert "Restore everything matching" in archived and "Archive everything matching" not in archived
    every = staff.get("/app/", {"status": "all"}).content.decode()
    assert "Archive everything matching" in every and "Restore everything matching" in every


def test_an_admin_archives_the_selected_workspaces_and_sees_the_outcome(staff, teams):
    response = staff.post(
        BULK,
        {"action": "archive", "ids": ["team-1", "team-4", "team-2"], "reason": "reorg", "q": "team", "status": "all"},
        HTTP_X_REQUEST_ID="bulk-page-1",
    )
    assert response.status_code == 302 and response["Location"] == "/app/?q=team&status=all"
    assert archived_ids() == {"team-1", "team-2", "team-4"}
    assert Workspace.objects.get(pk="team-1").archive_reason == "reorg"
    log = AuditLog.objects.get(action="workspace.bulk_archive")
    assert log.workspace_ids == ["team-1", "team-2"] and log.actor == "user:root" and log.request_id == "bulk-page-1"
    page = staff.get(response["Location"]).content.decode()
    assert "2 archived, 1 already archived." in page


def test_with_htmx_the_answer_is_the_list_fragment_with_the_outcome(staff, teams):
    response = staff.post(
        BULK, {"action": "restore", "ids": ["team-4", "team-3"], "status": "all"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment and "1 restored, 1 already active." in fragment
    assert 'name="status" value="all"' in fragment  # the list keeps its filter
    assert archived_ids() == set()
    assert AuditLog.objects.get(action="workspace.bulk_restore").workspace_ids == ["team-4"]


def test_selecting_nothing_says_so_and_changes_nothing(staff, teams):
    response = staff.post(BULK, {"action": "archive"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Select at least one workspace." in response.content.decode()
    assert archived_ids() == {"team-4"}


def test_a_viewer_or_editor_cannot_bulk_change_a_workspace(teams):
    person = UserFactory()
    MembershipFactory(user=person, workspace_id="team-1", role=Role.ADMIN)
    MembershipFactory(user=person, workspace_id="team-2", role=Role.EDITOR)
    MembershipFactory(user=person, workspace_id="team-3", role=Role.VIEWER)
    client = signed_in(person)
    client.post(BULK, {"action": "archive", "ids": ["team-1", "team-2", "team-3"]})
    assert archived_ids() == {"team-1", "team-4"}  # only where they are admin
    page = client.get("/app/").content.decode()
    assert "1 archived, 2 not found or not yours to change." in page
    # Someone who administers nothing is refused outright, as the API refuses them.
    editor = UserFactory()
    MembershipFactory(user=editor, workspace_id="team-2", role=Role.EDITOR)
    response = signed_in(editor).post(BULK, {"action": "archive", "ids": ["team-2"]})
    assert response.status_code == 403 and response["Content-Type"].startswith("text/html")
    assert archived_ids() == {"team-1", "team-4"}


def test_an_outsiders_ids_are_ignored(teams):
    outsider = UserFactory()
    MembershipFactory(user=outsider, workspace_id="finance", role=Role.ADMIN)
    client = signed_in(outsider)
    response = client.post(BULK, {"action": "archive", "ids": ["team-1", "team-2", "no-such"]}, HTTP_HX_REQUEST="true")
    assert "3 not found or not yours to change." in response.content.decode()
    assert archived_ids() == {"team-4"}
    assert not AuditLog.objects.filter(action="workspace.bulk_archive").exists()
    # Nor does "everything matching" reach past the workspaces they administer.
    preview = client.get(MATCHING, {"action": "archive", "q": "team"})
    assert preview.status_code == 200 and "<strong>0</strong>" in preview.content.decode()


def test_the_preview_counts_what_would_change_and_shows_a_sample(staff, teams):
    response = staff.get(MATCHING, {"action": "archive", "q": "team", "status": "active"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>3</strong> active workspaces that you administer match “team”" in page
    assert "Team 1" in page and "Team 3" in page and "Team 4" not in page and "Finance" not in page
    assert 'name="expected_total" value="3"' in page and 'name="csrfmiddlewaretoken"' in page
    assert "Archive 3 workspaces" in page
    restore = staff.get(MATCHING, {"action": "restore", "q": "team"}).content.decode()
    assert "<strong>1</strong> archived workspace" in restore and "Restore 1 workspace" in restore
    assert 'name="reason"' not in restore  # a reason is asked for archiving only


def test_confirming_with_the_previewed_total_changes_them_all_and_is_audited(staff, teams):
    response = staff.post(
        MATCHING, {"action": "archive", "q": "team", "status": "active", "expected_total": 3, "reason": "quarter end"}
    )
    assert response.status_code == 302 and response["Location"] == "/app/?q=team&status=active"
    assert archived_ids() == {"team-1", "team-2", "team-3", "team-4"}
    log = AuditLog.objects.get(action="workspace.archive_matching")
    assert log.workspace_ids == ["team-1", "team-2", "team-3"] and log.reason == "quarter end"
    assert log.actor == "user:root" and log.metadata == {"filters": {"q": "team"}, "total": 3}
    assert "3 workspaces archived." in staff.get(response["Location"]).content.decode()
    restored = staff.post(MATCHING, {"action": "restore", "q": "team-", "status": "archived", "expected_total": 4})
    assert restored.status_code == 302 and archived_ids() == set()
    assert AuditLog.objects.get(action="workspace.restore_matching").workspace_ids == [f"team-{n}" for n in range(1, 5)]


def test_a_stale_total_answers_409_with_the_new_count_and_changes_nothing(staff, teams):
    WorkspaceFactory(id="team-5", name="Team 5")  # created after the person saw 3
    response = staff.post(MATCHING, {"action": "archive", "q": "team", "expected_total": 3, "reason": "keep me"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "4 workspaces match now, not the 3 you confirmed. Nothing was changed" in page
    assert 'name="expected_total" value="4"' in page and "keep me" in page  # ready to confirm again
    assert archived_ids() == {"team-4"}
    assert not AuditLog.objects.filter(action="workspace.archive_matching").exists()
    again = staff.post(MATCHING, {"action": "archive", "q": "team", "expected_total": 4, "reason": "keep me"})
    assert again.status_code == 302 and len(archived_ids()) == 5


@pytest.mark.parametrize(
    ("method", "data"),
    [
        ("get", {}),
        ("get", {"action": "delete"}),
        ("post", {"action": "archive", "q": "team"}),
        ("post", {"action": "archive", "expected_total": "-1"}),
        ("post", {"action": "archive", "expected_total": "three"}),
    ],
)
def test_the_matching_page_refuses_bad_input(staff, teams, method, data):
    response = getattr(staff, method)(MATCHING, data)
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert archived_ids() == {"team-4"}


def test_the_bulk_forms_need_the_csrf_token(teams):
    client = signed_in(UserFactory(is_staff=True), enforce_csrf_checks=True)
    for path, data in (
        (BULK, {"action": "archive", "ids": ["team-1"]}),
        (MATCHING, {"action": "archive", "q": "team", "expected_total": 3}),
    ):
        response = client.post(path, data)
        assert response.status_code == 403 and b"CSRF verification failed" in response.content
    assert archived_ids() == {"team-4"}
    # With the token the list and the preview carry, the same posts go through.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/app/").content.decode())[1]
    client.post(BULK, {"action": "archive", "ids": ["team-1"], "csrfmiddlewaretoken": token})
    assert archived_ids() == {"team-1", "team-4"}


def test_names_and_the_search_text_are_escaped(staff, teams):
    WorkspaceFactory(id="team-x", name="<script>alert(1)</script>")
    query = {"action": "archive", "q": '"><script>alert(2)</script>'}
    pages = [
        staff.get("/app/", {"q": "team"}).content.decode(),
        staff.get(MATCHING, {"action": "archive", "q": "team"}).content.decode(),
        staff.get(MATCHING, query).content.decode(),
        staff.post(
            BULK, {"action": "archive", "ids": ["team-x"], "q": query["q"]}, HTTP_HX_REQUEST="true"
        ).content.decode(),
    ]
    for page in pages:
        assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0] and "&lt;script&gt;alert(1)" in pages[1]
    assert "&quot;&gt;&lt;script&gt;alert(2)" in pages[2]
