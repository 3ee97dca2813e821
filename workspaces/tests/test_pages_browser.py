"""In a real browser: a person signs in, finds their workspace with the live search, opens it."""

import re

import pytest
from playwright.sync_api import expect

from core.roles import Role
from testing.browser import screenshot, sign_in
from workspaces.models import Workspace
from workspaces.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.slow


def test_a_person_signs_in_and_finds_their_workspace(browser_page, app_server):
    handbook = WorkspaceFactory(id="handbook", name="Team handbook", description="How the team works.")
    MembershipFactory(user=UserFactory(username="ada"), workspace=handbook, role=Role.EDITOR)
    WorkspaceFactory(id="secret", name="Someone else's")
    page = browser_page

    page.goto(app_server.base_url + "/")
    expect(page).to_have_url(re.compile(r"/app/login/\?next=/app/$"))
    page.get_by_label("User name").fill("ada")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Workspaces")).to_be_visible()
    expect(page.get_by_role("link", name="Team handbook")).to_be_visible()
    expect(page.get_by_text("Someone else's")).to_have_count(0)
    page.get_by_label("Search").fill("nothing like this")
    expect(page.get_by_text("No workspace matches.")).to_be_visible()  # swapped in by htmx, no reload
    expect(page).to_have_url(re.compile(r"q=nothing"))
    page.get_by_label("Search").fill("hand")
    expect(page.get_by_role("link", name="Team handbook")).to_be_visible()
    screenshot(page, "workspace-list")
    page.set_viewport_size({"width": 375, "height": 740})
    screenshot(page, "workspace-list-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Team handbook").click()
    expect(page.get_by_role("heading", name="Team handbook")).to_be_visible()
    expect(page.get_by_text("How the team works.")).to_be_visible()
    screenshot(page, "workspace-detail")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/app/login/$"))


def test_a_workspace_admin_adds_a_member(browser_page, app_server):
    handbook = WorkspaceFactory(id="handbook", name="Team handbook")
    MembershipFactory(user=UserFactory(username="boss"), workspace=handbook, role=Role.ADMIN)
    UserFactory(username="newcomer")
    page = browser_page
    sign_in(page, app_server.base_url, "boss")

    page.goto(f"{app_server.base_url}/app/w/handbook/")
    page.get_by_role("link", name="Members").click()
    page.get_by_label("User name").fill("newcomer")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Add or change").click()
    expect(page.get_by_text("newcomer is now editor.")).to_be_visible()
    expect(page.get_by_label("Role of newcomer")).to_have_value("editor")
    screenshot(page, "members")


def test_staff_archive_everything_matching_then_restore_a_selection(browser_page, app_server):
    for n in range(1, 4):
        WorkspaceFactory(id=f"team-{n}", name=f"Team {n}")
    WorkspaceFactory(id="finance", name="Finance")
    UserFactory(username="root", is_staff=True)
    page = browser_page
    sign_in(page, app_server.base_url, "root")

    page.get_by_label("Search").fill("team")
    expect(page.get_by_role("link", name="Finance")).to_have_count(0)
    expect(page.get_by_label("Select all on this page")).to_be_visible()  # shown where script drives it
    screenshot(page, "workspace-bulk-list")
    page.set_viewport_size({"width": 375, "height": 740})
    screenshot(page, "workspace-bulk-list-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Archive everything matching").click()
    expect(page.locator("#preview-total")).to_contain_text("3 active workspaces that you administer match “team”")
    expect(page.get_by_role("list", name="Some of them").get_by_role("listitem")).to_have_count(3)
    page.get_by_label("Reason for archiving").fill("Teams merged")
    screenshot(page, "workspace-bulk-preview")
    page.set_viewport_size({"width": 375, "height": 740})
    screenshot(page, "workspace-bulk-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    WorkspaceFactory(id="team-9", name="Team 9")  # someone adds one meanwhile
    page.get_by_role("button", name="Archive 3 workspaces").click()
    expect(page.get_by_role("alert")).to_contain_text("4 workspaces match now, not the 3 you confirmed")
    assert not Workspace.objects.archived().exists()
    expect(page.get_by_label("Reason for archiving")).to_have_value("Teams merged")
    screenshot(page, "workspace-bulk-preview-changed")
    page.get_by_role("button", name="Archive 4 workspaces").click()
    expect(page.get_by_text("4 workspaces archived.")).to_be_visible()
    expect(page.get_by_text("No workspace matches.")).to_be_visible()  # the active ones, filtered by "team"
    archived = Workspace.objects.archived()
    assert set(archived.values_list("pk", flat=True)) == {"team-1", "team-2", "team-3", "team-9"}
    assert set(archived.values_list("archive_reason", flat=True)) == {"Teams merged"}

    page.get_by_label("Status").select_option("archived")
    expect(page.get_by_role("row")).to_have_count(5)  # the header and four archived teams
    select_all = page.get_by_label("Select all on this page")
    select_all.check()
    expect(page.get_by_label("Select Team 3")).to_be_checked()
    select_all.uncheck()
    page.get_by_label("Select Team 1").check()
    page.get_by_label("Select Team 2").check()
    expect(select_all).to_have_js_property("indeterminate", True)
    page.get_by_role("button", name="Restore selected").click()
    expect(page.get_by_text("2 restored.")).to_be_visible()  # swapped in by htmx, with the list
    expect(page.get_by_text("4 workspaces archived.")).to_have_count(0)  # the older outcome is gone
    expect(page.get_by_role("link", name="Team 3")).to_be_visible()
    expect(page.get_by_role("link", name="Team 1")).to_have_count(0)
    assert set(Workspace.objects.archived().values_list("pk", flat=True)) == {"team-3", "team-9"}
    screenshot(page, "workspace-bulk-restored")
    page.set_viewport_size({"width": 375, "height": 740})
    screenshot(page, "workspace-bulk-restored-phone")
