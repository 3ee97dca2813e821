"""A real headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, and a live
app server on loopback that shares the test database.

    def test_sign_in(browser_page, app_server): browser_page.goto(app_server.base_url + "/app/")

Every test's last page is saved as a screenshot under test-artifacts/ (see `screenshot`).
"""

import os
from pathlib import Path

import pytest

from testing.processes import ROOT, AppServer, start_celery_worker, stop_process

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
# Headless as root needs --no-sandbox; the rest keep Chromium off a network it cannot reach.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API keeps an event loop in this thread; the ORM calls tests make
    # between browser steps are still synchronous, so Django may allow them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright  # imported only where a browser test runs

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, request):
    """A fresh browser context (no cookies) and page; its last state is saved as a screenshot.

    A page that breaks its own Content Security Policy fails the test: the browser would
    have refused what it tried to load or run.
    """
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{message.text} at {message.location}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    screenshot(page, request.node.name)
    context.close()
    assert not violations, violations


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def app_server(transactional_db):
    """The app under uvicorn on a free port, reading and writing the test database."""
    server = AppServer()
    yield server
    server.stop()


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker on the test queue, for pages whose work a worker does."""
    worker = start_celery_worker()
    yield worker
    stop_process(worker)


def sign_in(page, base_url: str, username: str, password: str = "password") -> None:
    """Sign in through the sign-in page, as a person does."""
    page.goto(f"{base_url}/app/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Workspaces").wait_for()
