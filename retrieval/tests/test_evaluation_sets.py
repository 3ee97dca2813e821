import json

import pytest

from core.errors import DomainError
from retrieval.evaluation.sets import (
    evaluation_question_add,
    evaluation_set_create,
    evaluation_set_export_jsonl,
    evaluation_set_import_beir,
    evaluation_set_import_jsonl,
    split_for,
)
from retrieval.models import EvaluationQuestion, QuestionSource
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def documents(workspace, ingest):
    return {
        name: ingest(workspace, f"# {name}\n\nAbout {name}.", source_uri=f"{name}.md")
        for name in ("sync", "hooks", "rbac")
    }


def test_a_questions_split_follows_from_its_text_alone():
    queries = [f"question number {index}" for index in range(2000)]
    held_out = sum(split_for(query, 0.3) == "test" for query in queries)
    assert 500 < held_out < 700
    assert split_for("How do  I sync?", 0.3) == split_for("how do i sync?", 0.3)
    assert {split_for(query, 0.0) for query in queries} == {"train"}


def test_questions_are_checked_and_updated_in_place(workspace, documents):
    evaluation_set = evaluation_set_create(workspace=workspace, name="core")
    question = evaluation_question_add(
        evaluation_set=evaluation_set, query="How do sync waves work?", documents={documents["sync"]: 2}
    )
    assert question.split in ("train", "test") and question.source == QuestionSource.MANUAL
    again = evaluation_question_add(
        evaluation_set=evaluation_set,
        query="How do  sync waves work?",
        documents={documents["hooks"]: 1},
        answer="waves",
        split="test",
    )
    assert again.pk == question.pk and again.split == "test" and again.answer == "waves"
    assert [(judgement.document, judgement.grade) for judgement in again.judgements.all()] == [(documents["hooks"], 1)]

    foreign = WorkspaceFactory()
    other = evaluation_set_create(workspace=foreign, name="core")  # names are per workspace
    for kwargs, message in [
        ({"query": "  ", "documents": {documents["sync"]: 1}}, "needs its text"),
        ({"query": "q", "documents": {}}, "at least one document"),
        ({"query": "q", "documents": {documents["sync"]: 0}}, "grade is 1 or more"),
        ({"query": "q", "documents": {documents["sync"]: 40_000}}, "at most 100"),
        ({"query": "q", "documents": {documents["sync"]: 1}, "external_id": "x" * 201}, "id is at most 200"),
        ({"query": "q", "documents": {documents["sync"]: 1}, "split": "dev"}, "split must be train or test"),
    ]:
        with pytest.raises(DomainError, match=message):
            evaluation_question_add(evaluation_set=evaluation_set, **kwargs)
    with pytest.raises(DomainError, match="belong to the set's workspace"):
        evaluation_question_add(evaluation_set=other, query="q", documents={documents["sync"]: 1})
    with pytest.raises(DomainError, match="already has an evaluation set named 'core'"):
        evaluation_set_create(workspace=workspace, name="core")
    with pytest.raises(DomainError, match="at most 200 characters"):
        evaluation_set_create(workspace=workspace, name="n" * 201)


def test_jsonl_round_trips_between_sets(workspace, documents):
    source = evaluation_set_create(workspace=workspace, name="source")
    report = evaluation_set_import_jsonl(
        evaluation_set=source,
        lines=[
            json.dumps({"query": "sync order", "documents": ["sync.md"], "split": "test", "id": "q1"}),
            "",
            json.dumps({"query": "who may deploy", "documents": {"rbac.md": 2, "gone.md": 1}, "answer": "Roles"}),
            json.dumps({"query": "nothing known", "documents": ["gone.md"]}),
        ],
    )
    assert (report.questions, report.judgements, report.skipped) == (2, 2, 1)
    assert report.unknown_documents == {"gone.md"}
    lines = list(evaluation_set_export_jsonl(evaluation_set=source))
    assert json.loads(lines[0]) == {"query": "sync order", "documents": {"sync.md": 1}, "split": "test", "id": "q1"}

    copy = evaluation_set_create(workspace=workspace, name="copy")
    evaluation_set_import_jsonl(evaluation_set=copy, lines=lines)
    assert list(evaluation_set_export_jsonl(evaluation_set=copy)) == lines
    assert set(EvaluationQuestion.objects.filter(evaluation_set=copy).values_list("source", flat=True)) == {"import"}


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "Line 1 is not JSON"),
        ('["a list"]', 'Line 1 needs a "query" string'),
        ('{"query": "q", "documents": "sync.md"}', '"documents" is a list of source URIs'),
        ('{"query": "q", "documents": {"sync.md": true}}', '"documents" is a list of source URIs'),
        ('{"query": "q", "documents": {"sync.md": 99999}}', "at most 100"),
        ('{"query": "q", "documents": ["sync.md"], "id": "' + "x" * 300 + '"}', "id is at most 200"),
    ],
)
def test_a_bad_jsonl_line_fails_the_import_and_adds_nothing(workspace, documents, line, message):
    evaluation_set = evaluation_set_create(workspace=workspace, name="bad")
    good = json.dumps({"query": "sync order", "documents": ["sync.md"]})
    with pytest.raises(DomainError, match=message):
        evaluation_set_import_jsonl(evaluation_set=evaluation_set, lines=[line, good])
    assert not evaluation_set.questions.exists()


def test_beir_qrels_keep_their_splits(workspace, documents, tmp_path):
    (tmp_path / "qrels").mkdir()
    (tmp_path / "queries.jsonl").write_text(
        "\n".join(json.dumps({"_id": qid, "text": text}) for qid, text in [("1", "sync order"), ("2", "hooks")])
    )
    (tmp_path / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\r\n1\tsync.md\t1\r\n1\tnone.md\t1\r\n")
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n2\thooks.md\t2\n2\trbac.md\t0\n")
    evaluation_set = evaluation_set_create(workspace=workspace, name="beir")
    report = evaluation_set_import_beir(evaluation_set=evaluation_set, path=tmp_path, splits=["train", "test"])
    assert (report.questions, report.judgements, report.unknown_documents) == (2, 2, {"none.md"})
    splits = dict(evaluation_set.questions.values_list("external_id", "split"))
    assert splits == {"1": "train", "2": "test"}
    with pytest.raises(DomainError, match="dev.tsv does not exist"):
        evaluation_set_import_beir(evaluation_set=evaluation_set, path=tmp_path, splits=["dev"])
