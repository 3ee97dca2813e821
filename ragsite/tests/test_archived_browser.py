"""In a real browser: an archived workspace is read-only on every page, and writable again once restored."""

import pytest
from playwright.sync_api import expect

from documents.tests.factories import DocumentFactory
from testing.browser import screenshot, sign_in
from workspaces.tests.factories import UserFactory, WorkspaceFactory

pytestmark = pytest.mark.slow


def test_archiving_disables_every_write_control_until_restored(browser_page, app_server):
    WorkspaceFactory(id="handbook", name="Team handbook")
    DocumentFactory(workspace_id="handbook", title="Runbook")
    UserFactory(username="root", is_staff=True)
    page = browser_page
    base = f"{app_server.base_url}/app/w/handbook"
    sign_in(page, app_server.base_url, "root")

    page.goto(f"{base}/")
    page.get_by_label("Reason for archiving").fill("Team moved to the new wiki")
    page.get_by_role("button", name="Archive").click()
    banner = page.get_by_role("status").filter(has_text="This workspace is archived")
    expect(banner).to_contain_text("Team moved to the new wiki")

    page.goto(f"{base}/documents/")
    expect(banner).to_be_visible()
    for control in ("Upload", "Reindex all", "Reindex stale", "Reindex", "Delete"):
        expect(page.get_by_role("button", name=control, exact=True)).to_be_disabled()
    expect(page.locator("#upload-files")).to_be_disabled()
    expect(page.get_by_text("The workspace is archived.")).to_be_visible()
    screenshot(page, "archived-documents")

    page.goto(f"{base}/chat/")
    expect(banner).to_be_visible()
    expect(page.get_by_label("Your question")).to_be_disabled()
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    expect(page.get_by_text("This workspace is archived: conversations can be read, not continued.")).to_be_visible()
    screenshot(page, "archived-chat")

    page.goto(f"{base}/")
    page.get_by_role("button", name="Restore").click()
    expect(banner).to_have_count(0)
    page.goto(f"{base}/documents/")
    expect(page.get_by_role("button", name="Upload", exact=True)).to_be_enabled()
    page.goto(f"{base}/chat/")
    expect(page.get_by_label("Your question")).to_be_enabled()
