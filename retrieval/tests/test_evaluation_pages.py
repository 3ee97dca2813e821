"""The evaluation pages: build a set, import one, score and tune the workspace from the web app."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.models import AuditLog
from core.roles import Role
from retrieval.models import EvaluationQuestion, EvaluationRun, EvaluationSet
from retrieval.tests.test_tuning import COMMON, RARE_WORDS
from workspaces.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def member(workspace, role) -> Client:
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    return client


@pytest.fixture
def rare_word_workspace(workspace, ingest):
    """Questions that equal-weight RRF gets wrong and keyword-heavy fusion right (test_tuning)."""
    documents = [
        ingest(
            workspace, f"# Note {index}\n\nThe {word} procedure is described here. {COMMON}", source_uri=f"{word}.md"
        )
        for index, word in enumerate(RARE_WORDS)
    ]
    for index in range(12):
        ingest(workspace, f"# {COMMON}\n\n{COMMON} {COMMON}", source_uri=f"guide-{index}.md")
    return documents


def test_an_admin_builds_a_set_scores_and_tunes_it_and_sees_the_effect(workspace, rare_word_workspace, committed):
    admin = member(workspace, Role.ADMIN)
    assert "No evaluation set yet" in admin.get("/app/w/alpha/evaluation/").content.decode()
    made = admin.post("/app/w/alpha/evaluation/", {"name": "Rare words", "test_share": "0.5"})
    evaluation_set = EvaluationSet.objects.get(workspace=workspace, name="Rare words")
    assert made.status_code == 302 and made["Location"] == f"/app/w/alpha/evaluation/{evaluation_set.pk}/"

    page = f"/app/w/alpha/evaluation/{evaluation_set.pk}/"
    first = rare_word_workspace[0]
    added = admin.post(page, {"query": f"{RARE_WORDS[0]} {COMMON}", "documents": [str(first.pk)], "split": "test"})
    assert added.status_code == 302
    lines = "\n".join(json.dumps({"query": f"{word} {COMMON}", "documents": [f"{word}.md"]}) for word in RARE_WORDS[1:])
    upload = SimpleUploadedFile("set.jsonl", lines.encode(), content_type="application/jsonl")
    imported = admin.post(f"{page}import/", {"file": upload}, follow=True)
    assert "Imported 59 questions." in imported.content.decode()
    assert evaluation_set.questions.count() == 60

    with committed():
        admin.post(f"{page}runs/", {"kind": "eval"})
    with committed():
        admin.post(f"{page}runs/", {"kind": "tune"})
    runs = {run.kind: run for run in EvaluationRun.objects.filter(evaluation_set=evaluation_set)}
    assert runs["eval"].status == "done" and runs["tune"].status == "done", runs["tune"].error
    body = admin.get(page).content.decode()
    assert f"{runs['eval'].metrics['ndcg@10']:.4f}" in body and "better on the held-out questions" in body

    workspace.refresh_from_db()
    overview = admin.get("/app/w/alpha/evaluation/").content.decode()
    assert workspace.retrieval_settings["fusion"] and "This workspace's own settings" in overview
    assert "Held-out nDCG@10" in overview and "p = " in overview
    assert AuditLog.objects.filter(action="workspace.fusion_tuned", workspace_ids__contains=["alpha"]).exists()

    exported = admin.get(f"{page}export/")
    assert exported["Content-Type"] == "application/jsonl"
    assert len(b"".join(exported.streaming_content).splitlines()) == 60

    reset = admin.post("/app/w/alpha/evaluation/fusion/reset/", follow=True)
    workspace.refresh_from_db()
    assert workspace.retrieval_settings == {} and "now searches with the site" in reset.content.decode()


def test_roles_and_bad_input(workspace, other_workspace, rare_word_workspace):
    evaluation_set = EvaluationSet.objects.create(workspace=workspace, name="core")
    page = f"/app/w/alpha/evaluation/{evaluation_set.pk}/"
    viewer, editor = member(workspace, Role.VIEWER), member(workspace, Role.EDITOR)
    assert viewer.get(page).status_code == 200 and "Add a question" not in viewer.get(page).content.decode()
    assert viewer.post("/app/w/alpha/evaluation/", {"name": "mine", "test_share": "0.3"}).status_code == 403
    assert editor.post(f"{page}runs/", {"kind": "tune"}).status_code == 403  # tuning changes search: admins
    assert editor.post(f"{page}runs/", {"kind": "sideways"}).status_code == 400
    assert editor.post("/app/w/alpha/evaluation/fusion/reset/").status_code == 403
    assert editor.get("/app/w/alpha/evaluation/999999/").status_code == 404
    assert member(other_workspace, Role.ADMIN).get(page).status_code == 404

    assert editor.post(page, {"query": "", "documents": []}).status_code == 400
    duplicate = editor.post("/app/w/alpha/evaluation/", {"name": "core", "test_share": "0.3"})
    assert duplicate.status_code == 400 and "already has an evaluation set named" in duplicate.content.decode()
    bad = SimpleUploadedFile("set.jsonl", b'{"query": 3}\n')
    refused = editor.post(f"{page}import/", {"file": bad})
    assert refused.status_code == 400 and "needs a &quot;query&quot; string" in refused.content.decode()
    binary = SimpleUploadedFile("set.jsonl", b"\xff\xfe\x00")
    assert "not UTF-8" in editor.post(f"{page}import/", {"file": binary}).content.decode()
    assert not EvaluationQuestion.objects.exists()
    nothing = editor.post(f"{page}runs/", {"kind": "eval"}, follow=True)
    assert "Add questions first" in nothing.content.decode() and not EvaluationRun.objects.exists()


def test_the_document_picker_reads_a_page_of_documents_whatever_the_workspace_size(
    workspace, other_workspace, rare_word_workspace, ingest
):
    """72 documents: the form lists none of them until asked; a search shows the ticked ones
    first and at most 20 matches; another workspace's documents are never offered."""
    ingest(other_workspace, "# Note 0 elsewhere\n\nAnother team's note.", source_uri="note.md")
    evaluation_set = EvaluationSet.objects.create(workspace=workspace, name="core")
    editor = member(workspace, Role.EDITOR)
    page = editor.get(f"/app/w/alpha/evaluation/{evaluation_set.pk}/").content.decode()
    assert 'type="checkbox" name="documents"' not in page and "Type part of a document" in page

    picker = "/app/w/alpha/evaluation/documents/"
    first, second = rare_word_workspace[0], rare_word_workspace[1]
    found = editor.get(picker, {"q": "note", "documents": [str(second.pk), "not-an-id"]}).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="documents" value="([^"]+)"( checked)?>', found)
    assert boxes[0] == (str(second.pk), " checked") and len(boxes) == 21  # the ticked one, then 20 matches
    assert "More documents match “note”" in found and "elsewhere" not in found
    one = editor.get(picker, {"q": RARE_WORDS[0]}).content.decode()
    assert re.findall(r'value="([^"]+)"', one) == [str(first.pk)]
    assert "No document matches" in editor.get(picker, {"q": "zzzz-nothing"}).content.decode()
    suggested = editor.get(picker, {"suggested": f"{first.pk},junk"}).content.decode()
    assert re.findall(r'value="([^"]+)"', suggested) == [str(first.pk)]
    assert member(workspace, Role.VIEWER).get(picker, {"q": "note"}).status_code == 403

    # Without script, Enter in the search box sends the form: it comes back with the matches.
    sent = editor.post(f"/app/w/alpha/evaluation/{evaluation_set.pk}/", {"query": "which note", "q": RARE_WORDS[0]})
    assert sent.status_code == 400 and f'value="{first.pk}"' in sent.content.decode()
    assert not EvaluationQuestion.objects.exists()
