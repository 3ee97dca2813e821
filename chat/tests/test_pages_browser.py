"""In a real browser: ask, watch the answer stream in, open a citation, rate it; recover from a cut stream."""

from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from chat.models import ChatLog
from core.roles import Role
from documents.ingest import ingest_paths
from providers.catalogue import DEFAULT_EMBEDDING_MODEL, model_settings
from testing.browser import screenshot, sign_in
from testing.openai_server import Drop, Reply
from testing.processes import AppServer
from workspaces.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.slow

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "argocd"

# Records every length the streamed answer's text had, to see it arrive piece by piece.
WATCH_STREAM = """() => {
  window.seenLengths = [];
  new MutationObserver(() => {
    const text = document.querySelector(".message.answer.streaming [data-answer-text]");
    if (text) window.seenLengths.push(text.textContent.length);
  }).observe(document.getElementById("chat-history"), {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture
def app_server(transactional_db, openai_server):
    """The app with the real local embedding model, its answers written by a model served over
    the OpenAI API on loopback, token by token, as a hosted model sends them."""
    server = AppServer(
        EMBEDDING_PROVIDER="local",
        GENERATOR_PROVIDER="openai",
        OPENAI_BASE_URL=openai_server.base_url,
        OPENAI_API_KEY="sk-test",
        OPENAI_MAX_RETRIES="0",
    )
    yield server
    server.stop()


@pytest.fixture
def handbook(transactional_db):
    """Two sample documents, indexed here with the same local model the app server uses."""
    with override_settings(
        EMBEDDING_PROVIDER="local", EMBEDDING_MODEL=DEFAULT_EMBEDDING_MODEL, **model_settings(DEFAULT_EMBEDDING_MODEL)
    ):
        workspace = WorkspaceFactory(id="handbook", name="Argo CD handbook")
        report = ingest_paths(workspace=workspace, paths=[SAMPLES / "faq.md", SAMPLES / "core_concepts.md"])
        assert report.indexed == 2
        MembershipFactory(user=UserFactory(username="ada"), workspace=workspace, role=Role.EDITOR)
        yield workspace


def test_an_answer_streams_in_and_its_citation_opens_and_it_is_rated(browser_page, app_server, handbook, openai_server):
    openai_server.enqueue(
        Reply("Reset it with argocd account update-password, then restart the server [1].", token_delay=0.05),
        endpoint="chat/completions",
    )
    page = browser_page
    sign_in(page, app_server.base_url, "ada")
    page.goto(f"{app_server.base_url}/app/w/handbook/chat/")
    expect(page.get_by_role("heading", name="New conversation")).to_be_visible()
    page.evaluate(WATCH_STREAM)

    box = page.get_by_label("Your question")
    box.fill("I forgot the admin password")
    box.press("Shift+Enter")  # a new line, not a send
    box.type("how do I reset it?")
    expect(box).to_have_value("I forgot the admin password\nhow do I reset it?")
    box.press("Enter")

    answer = page.locator(".message.answer").last
    expect(answer.locator(".rating")).to_be_visible(timeout=30_000)
    assert len(set(page.evaluate("window.seenLengths"))) > 3, "the answer arrived in one piece"
    expect(box).to_have_value("")  # sent and answered: the box is empty again
    expect(answer.locator("a.cite").first).to_be_visible()
    # The new conversation has its address and is listed on the left, titled by the question.
    assert "/app/w/handbook/chat/" in page.url and page.url.rstrip("/").split("/")[-1] != "chat"
    expect(page.locator("#chat-head h1")).to_have_text("I forgot the admin password how do I reset it?")
    expect(page.locator("#chat-head").get_by_role("button", name="Delete")).to_be_visible()
    expect(page.locator("#chat-sessions li")).to_have_count(1)
    expect(page.locator("#chat-sessions li")).to_contain_text("I forgot the admin password")
    screenshot(page, "chat-answer")

    answer.locator("a.cite").first.click()
    panel = page.locator("#citation-panel")
    expect(panel).to_be_visible()
    expect(panel.locator("#cited-chunk")).to_be_visible()
    expect(panel.locator("h2 a")).to_have_text("FAQ")
    screenshot(page, "chat-citation")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()

    answer.get_by_text("Add a comment").click()
    answer.get_by_label("Comment").fill("Clear, but mention the CLI")
    answer.get_by_role("button", name="Helpful", exact=True).click()
    expect(answer.get_by_text("Thanks, your rating is saved.")).to_be_visible()
    log = ChatLog.objects.get()
    assert (log.rating, log.rating_comment, log.rated_by) == ("up", "Clear, but mention the CLI", "user:ada")

    # Reloaded, the conversation shows the same answer, rated.
    page.reload()
    expect(page.locator(".message.answer")).to_have_count(1)
    expect(page.locator('.rating button[value="up"]')).to_have_attribute("aria-pressed", "true")
    page.set_viewport_size({"width": 375, "height": 740})
    screenshot(page, "chat-phone")


def test_after_a_cut_stream_the_question_stays_and_one_click_retries(browser_page, app_server, handbook, openai_server):
    # The model's stream breaks off after two words; the second time it answers in full.
    openai_server.enqueue(
        Drop(tokens=("Reset ", "it "), after_seconds=0.1), Reply("Reset it [1]."), endpoint="chat/completions"
    )
    page = browser_page
    sign_in(page, app_server.base_url, "ada")
    page.goto(f"{app_server.base_url}/app/w/handbook/chat/")
    box = page.get_by_label("Your question")
    box.fill("How do I reset the admin password?")
    page.get_by_role("button", name="Send").click()

    failed = page.locator(".message.answer.failed")
    expect(failed).to_contain_text("The answer could not be generated")
    expect(box).to_have_value("How do I reset the admin password?")
    screenshot(page, "chat-failed")

    failed.get_by_role("button", name="Retry").click()
    expect(page.locator(".message.answer .rating")).to_be_visible(timeout=30_000)
    expect(page.locator(".message.answer.failed")).to_have_count(0)
    expect(page.locator(".message.question")).to_have_count(1)
    expect(box).to_have_value("")
    assert list(ChatLog.objects.order_by("created_at").values_list("error_code", flat=True)) == ["provider_error", ""]
