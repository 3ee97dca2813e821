"""In a real browser: an editor uploads two documents, watches them become completed, opens one."""

import pytest
from playwright.sync_api import expect

from core.roles import Role
from testing.browser import screenshot, sign_in
from workspaces.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.slow


def test_an_editor_uploads_two_documents_and_sees_them_indexed(
    browser_page, app_server, celery_worker_process, tmp_path
):
    handbook = WorkspaceFactory(id="handbook", name="Team handbook")
    MembershipFactory(user=UserFactory(username="ada"), workspace=handbook, role=Role.EDITOR)
    (tmp_path / "restart.md").write_text("# Restarting\n\nRestart the pods with `kubectl rollout restart`.\n")
    (tmp_path / "rollback.md").write_text("# Rolling back\n\nUndo a rollout with `kubectl rollout undo`.\n")
    page = browser_page
    sign_in(page, app_server.base_url, "ada")

    page.goto(f"{app_server.base_url}/app/w/handbook/documents/")
    expect(page.get_by_text("No documents yet.")).to_be_visible()
    page.set_input_files("#upload-files", [str(tmp_path / "restart.md"), str(tmp_path / "rollback.md")])
    expect(page.get_by_text("restart.md, rollback.md")).to_be_visible()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("2 documents uploaded")).to_be_visible()
    expect(
        page.get_by_text("Drop Markdown or text files here, or choose them")
    ).to_be_visible()  # the form is empty again
    # The worker indexes them; the list refreshes itself until both are completed, then stops.
    expect(page.locator("#document-results .badge.completed")).to_have_count(2, timeout=60_000)
    expect(page.locator("#document-results[hx-trigger]")).to_have_count(0)
    screenshot(page, "documents-list")
    page.set_viewport_size({"width": 375, "height": 740})
    screenshot(page, "documents-list-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Rolling back").click()
    expect(page.locator("main > h1")).to_have_text("Rolling back")
    expect(page.locator("article.markdown code")).to_have_text("kubectl rollout undo")
    expect(page.locator(".chunk")).to_have_count(1)
    screenshot(page, "document-detail")

    page.get_by_role("link", name="Inspector").click()
    page.get_by_label("Query").fill("undo a rollout")
    page.get_by_role("button", name="Search").click()
    first = page.locator("table.scores tbody tr").first
    expect(first).to_contain_text("Rolling back")
    expect(page.get_by_text("Stage timings:")).to_be_visible()
    expect(page.locator("table.scores tbody tr")).to_have_count(2)
    screenshot(page, "inspector")
