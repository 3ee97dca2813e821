"""In a real browser, with a real worker: an operator turns a thumbs-down answer into an
evaluation question, imports more, scores the workspace, tunes its fusion and sees the effect."""

import json

import pytest
from playwright.sync_api import expect

from chat.tests.factories import ChatLogFactory
from documents.indexing import documents_index
from documents.services import document_upsert
from retrieval.tests.test_tuning import COMMON, RARE_WORDS
from testing.browser import screenshot, sign_in
from workspaces.tests.factories import UserFactory, WorkspaceFactory

pytestmark = pytest.mark.slow


def ingest(workspace, content: str, source_uri: str):
    result = document_upsert(workspace=workspace, content=content, source_uri=source_uri)
    documents_index(document_ids=[result.document.pk])
    return result.document


def test_an_operator_builds_scores_and_tunes_an_evaluation_set(
    browser_page, app_server, celery_worker_process, tmp_path
):
    handbook = WorkspaceFactory(id="handbook", name="Team handbook")
    UserFactory(username="root", is_staff=True)
    # Equal-weight RRF puts the guides first for these questions, keyword-heavy fusion the note
    # that the rare word names (see test_tuning).
    for index, word in enumerate(RARE_WORDS):
        ingest(handbook, f"# Note {index}\n\nThe {word} procedure is here. {COMMON}", f"{word}.md")
    guides = [ingest(handbook, f"# {COMMON}\n\n{COMMON} {COMMON}", f"guide-{index}.md") for index in range(12)]
    # The answer was given from a guide: the form offers the documents it was given first.
    log = ChatLogFactory(
        workspace=handbook,
        question=f"{RARE_WORDS[0]} {COMMON}",
        rating="down",
        retrieved_chunk_ids=[guides[0].chunks.get().pk],
    )
    page = browser_page
    sign_in(page, app_server.base_url, "root")

    page.goto(f"{app_server.base_url}/app/w/handbook/operations/chat-logs/{log.pk}/")
    form = page.locator("#evaluation-question")
    expect(form).to_contain_text("The asker found this answer not helpful")
    form.get_by_label("Evaluation set").fill("Rare words")
    choices = form.get_by_role("group", name="Documents to choose from")
    expect(choices.locator("label")).to_have_count(1)
    expect(choices).to_contain_text("guide-0.md")
    form.get_by_role("searchbox", name="Documents").fill("Note 0")  # 72 documents: found as one types
    expect(choices).to_contain_text(f"{RARE_WORDS[0]}.md")
    choices.locator("label", has_text=f"{RARE_WORDS[0]}.md").get_by_role("checkbox").check()
    form.get_by_role("searchbox", name="Documents").fill("guide-1")  # the ticked one stays, first
    expect(choices).to_contain_text("guide-1.md")
    expect(choices.locator("label").first).to_contain_text(f"{RARE_WORDS[0]}.md")
    expect(choices.get_by_role("checkbox", checked=True)).to_have_count(1)
    screenshot(page, "evaluation-document-picker")
    form.get_by_label("Split").select_option("test")
    form.get_by_role("button", name="Add the question").click()
    expect(page.get_by_role("heading", name="Rare words")).to_be_visible()
    expect(page.get_by_text("Added to the evaluation set “Rare words”.")).to_be_visible()
    expect(page.get_by_text("1 question: 0 to tune on, 1 held out")).to_be_visible()

    questions = tmp_path / "rare-words.jsonl"
    questions.write_text(
        "\n".join(json.dumps({"query": f"{word} {COMMON}", "documents": [f"{word}.md"]}) for word in RARE_WORDS[1:])
    )
    page.get_by_label("File").set_input_files(str(questions))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 59 questions.")).to_be_visible()
    expect(page.get_by_text("60 questions:")).to_be_visible()

    page.get_by_role("button", name="Score the workspace").click()
    expect(page.get_by_text("Scoring asked for")).to_be_visible()
    runs = page.locator("table").first
    for _ in range(60):  # the worker scores it; the page shows the run once it is done
        if "queued" not in runs.inner_text() and "running" not in runs.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(runs).to_contain_text("Evaluation")
    expect(runs).to_contain_text("60 all")

    page.get_by_role("button", name="Tune the fusion").click()
    for _ in range(120):
        if "saved:" in runs.inner_text() or "not saved" in runs.inner_text() or "failed" in runs.inner_text():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(runs).to_contain_text("saved: better on the held-out questions")
    screenshot(page, "evaluation-set")

    page.get_by_role("link", name="Evaluation", exact=True).first.click()
    expect(page.get_by_text("This workspace's own settings")).to_be_visible()
    expect(page.get_by_text("Held-out nDCG@10")).to_be_visible()
    screenshot(page, "evaluation-sets")
    page.get_by_role("button", name="Use the site's settings again").click()
    expect(page.get_by_text("now searches with the site's fusion settings")).to_be_visible()
