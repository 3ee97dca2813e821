"""Operators make evaluation sets in the admin too: a set, its questions with the documents that
answer them (from the set's workspace only), and scoring or tuning queued for a worker."""

import pytest

from retrieval.evaluation.sets import split_for
from retrieval.models import EvaluationQuestion, EvaluationRun, EvaluationSet

pytestmark = pytest.mark.django_db

QUESTIONS = "/admin/retrieval/evaluationquestion/"


@pytest.fixture
def documents(workspace, other_workspace, ingest):
    return {
        "tides": ingest(workspace, "# Tides\n\nThe moon pulls the sea into tides.", source_uri="tides.md"),
        "bread": ingest(workspace, "# Bread\n\nFlour, water and salt make bread.", source_uri="bread.md"),
        "elsewhere": ingest(other_workspace, "# Tides\n\nAnother team's tides.", source_uri="tides.md"),
    }


def question_form(evaluation_set, query, judgements, split=""):
    form = {
        "evaluation_set": str(evaluation_set.pk),
        "query": query,
        "split": split,
        "answer": "",
        "judgements-TOTAL_FORMS": str(len(judgements)),
        "judgements-INITIAL_FORMS": "0",
        "judgements-MIN_NUM_FORMS": "0",
        "judgements-MAX_NUM_FORMS": "1000",
    }
    for index, (document, grade) in enumerate(judgements):
        form[f"judgements-{index}-document"] = str(document.pk)
        form[f"judgements-{index}-grade"] = str(grade)
    return form


def test_an_operator_makes_a_set_adds_a_question_and_scores_it(admin_client, workspace, documents, committed):
    bad = admin_client.post(
        "/admin/retrieval/evaluationset/add/", {"workspace": "alpha", "name": "core", "test_share": "1.5"}
    )
    assert bad.status_code == 200 and "At least 0 and below 1." in bad.content.decode()
    made = admin_client.post(
        "/admin/retrieval/evaluationset/add/", {"workspace": "alpha", "name": " core ", "test_share": "0.3"}
    )
    assert made.status_code == 302, made.content[:500]
    evaluation_set = EvaluationSet.objects.get(workspace=workspace, name="core")

    added = admin_client.post(
        f"{QUESTIONS}add/", question_form(evaluation_set, "  what makes   tides ", [(documents["tides"], 2)])
    )
    assert added.status_code == 302, added.content[:2000]
    question = EvaluationQuestion.objects.get(evaluation_set=evaluation_set)
    assert question.query == "what makes tides" and question.split == split_for("what makes tides", 0.3)
    assert list(question.judgements.values_list("document_id", "grade")) == [(documents["tides"].pk, 2)]

    listed = admin_client.get(f"{QUESTIONS}?evaluation_set__id__exact={evaluation_set.pk}").content.decode()
    assert "what makes tides" in listed
    sets = admin_client.get("/admin/retrieval/evaluationset/").content.decode()
    assert f"?evaluation_set__id__exact={evaluation_set.pk}" in sets

    with committed():
        admin_client.post(
            "/admin/retrieval/evaluationset/", {"action": "score_selected", "_selected_action": [evaluation_set.pk]}
        )
    run = EvaluationRun.objects.get(evaluation_set=evaluation_set)
    assert run.status == "done" and run.metrics["ndcg@10"] == 1.0 and run.requested_by == "user:admin"
    page = admin_client.get(f"/admin/retrieval/evaluationset/{evaluation_set.pk}/change/").content.decode()
    assert "Runs (newest first)" in page and "ndcg@10 1.0000" in page
    assert admin_client.get("/admin/retrieval/evaluationrun/").status_code == 200


def test_a_question_needs_a_document_of_its_own_workspace_and_text_of_its_own(admin_client, workspace, documents):
    evaluation_set = EvaluationSet.objects.create(workspace=workspace, name="core")
    cases = [
        (question_form(evaluation_set, "what makes tides", []), "at least one document"),
        (question_form(evaluation_set, "what makes tides", [(documents["elsewhere"], 1)]), "Not a document of"),
        (question_form(evaluation_set, "what makes tides", [(documents["tides"], 101)]), "at most 100"),
        (question_form(evaluation_set, "   ", [(documents["tides"], 1)]), "This field is required"),
    ]
    for form, message in cases:
        response = admin_client.post(f"{QUESTIONS}add/", form)
        assert response.status_code == 200 and message in response.content.decode(), message
    assert not EvaluationQuestion.objects.exists()

    for query in ("what makes tides", "how is bread made"):
        admin_client.post(f"{QUESTIONS}add/", question_form(evaluation_set, query, [(documents["bread"], 1)]))
    first, second = EvaluationQuestion.objects.order_by("id")
    change = {
        **question_form(evaluation_set, "how is bread made", []),
        "judgements-TOTAL_FORMS": "1",
        "judgements-INITIAL_FORMS": "1",
        "judgements-0-id": str(first.judgements.get().pk),
        "judgements-0-question": str(first.pk),
        "judgements-0-document": str(documents["bread"].pk),
        "judgements-0-grade": "1",
    }
    duplicate = admin_client.post(f"{QUESTIONS}{first.pk}/change/", change)
    assert duplicate.status_code == 200 and "already has this question" in duplicate.content.decode()
    first.refresh_from_db()
    assert first.query == "what makes tides"
