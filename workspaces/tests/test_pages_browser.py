"""In a real browser: a person signs in, finds their workspace with the live search, opens it."""

import re

import pytest
from playwright.sync_api import expect

from core.roles import Role
from testing.browser import screenshot, sign_in
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
