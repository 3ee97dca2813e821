"""`manage.py evalset`, `eval --set` and `eval --compare-fusion` as an operator runs them."""

import json

import pytest
from django.core.management import CommandError, call_command

from documents.indexing import documents_index
from documents.services import document_upsert
from evals.beir import BeirDataset, write_beir
from retrieval.evaluation.sets import evaluation_set_import_jsonl
from retrieval.models import EvaluationRun, EvaluationSet
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

CORPUS = {
    f"d{index}": {"title": f"Topic {word}", "text": f"All about {word} and how {word} works in practice."}
    for index, word in enumerate(["sync", "hooks", "rbac", "bread", "waves", "rollback", "secrets", "tokens"])
}


@pytest.fixture
def beir_folder(tmp_path):
    words = [document["title"].split()[1] for document in CORPUS.values()]
    queries = {f"q{index}": f"how does {word} work" for index, word in enumerate(words)}
    qrels = {f"q{index}": {f"d{index}": 1} for index in range(len(words))}
    test = {qid: qrels[qid] for qid in list(qrels)[:3]}
    write_beir(
        BeirDataset(name="topics", corpus=CORPUS, queries=queries, qrels=test), tmp_path / "topics", split="test"
    )
    with open(tmp_path / "topics" / "qrels" / "train.tsv", "w") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for qid in list(qrels)[3:]:
            handle.write(f"{qid}\t{next(iter(qrels[qid]))}\t1\n")
    return tmp_path / "topics"


@pytest.fixture
def loaded(beir_folder, tmp_path):
    call_command(
        "eval",
        "--dataset",
        str(beir_folder),
        "--workspace",
        "topics",
        "--no-progress",
        "--history",
        "",
    )
    return Workspace.objects.get(pk="topics")


def test_import_eval_and_export_a_set(loaded, beir_folder, tmp_path, capsys):
    call_command("evalset", "import", "--workspace", "topics", "--set", "core", "--beir", str(beir_folder))
    assert "8 questions with 8 judged documents; 0 skipped" in capsys.readouterr().out

    call_command("eval", "--workspace", "topics", "--set", "core", "--no-progress", "--fail-under", "set.ndcg@10=0.5")
    printed = capsys.readouterr().out
    assert "topics / core: 8 questions (all), rrf fusion" in printed and "ndcg@10" in printed
    run = EvaluationRun.objects.get(evaluation_set__name="core", kind="eval")
    assert run.metrics["ndcg@10"] > 0.5 and run.metrics["answer@5"] is None

    call_command("eval", "--workspace", "topics", "--set", "core", "--part", "test", "--no-progress")
    call_command("eval", "--workspace", "topics", "--set", "core", "--part", "test", "--no-progress")
    assert "trend (nDCG@10, newest first)" in capsys.readouterr().out

    exported = tmp_path / "core.jsonl"
    call_command("evalset", "export", "--workspace", "topics", "--set", "core", "--output", str(exported))
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert len(lines) == 8 and {line["split"] for line in lines} == {"train", "test"}
    call_command("evalset", "import", "--workspace", "topics", "--set", "copy", "--jsonl", str(exported))
    call_command("evalset", "list", "--workspace", "topics")
    printed = capsys.readouterr().out
    assert "core: 5 train and 3 test questions, latest nDCG@10" in printed
    assert "copy: 5 train and 3 test questions" in printed


def test_commands_name_what_is_wrong(loaded, tmp_path):
    for args, message in [
        (["eval", "--set", "core", "--no-progress"], "--set needs --workspace"),
        (["eval", "--workspace", "topics", "--set", "missing", "--no-progress"], "no evaluation set named 'missing'"),
        (["tune", "--workspace", "nowhere", "--set", "core"], "No workspace 'nowhere'"),
        (["tune", "--workspace", "topics", "--set", "core", "--methods", "magic"], "--methods: choose from"),
        (["evalset", "export", "--workspace", "topics", "--set", "missing"], "no evaluation set named 'missing'"),
        (
            ["evalset", "import", "--workspace", "topics", "--set", "x", "--jsonl", str(tmp_path / "no.jsonl")],
            "No file",
        ),
    ]:
        if args[0] == "tune" and "magic" in args:
            EvaluationSet.objects.get_or_create(workspace=loaded, name="core")
        with pytest.raises(CommandError, match=message):
            call_command(*args)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "q", "documents": 3}\n')
    with pytest.raises(CommandError, match='Line 1: "documents" is a list'):
        call_command("evalset", "import", "--workspace", "topics", "--set", "x", "--jsonl", str(bad))
    EvaluationSet.objects.get_or_create(workspace=loaded, name="empty")
    with pytest.raises(CommandError, match="has no questions yet"):
        call_command("eval", "--workspace", "topics", "--set", "empty", "--no-progress")
    with pytest.raises(CommandError, match="no train questions to tune on"):
        call_command("tune", "--workspace", "topics", "--set", "empty", "--no-progress")


def test_compare_fusion_prints_every_function_side_by_side(beir_folder, capsys):
    call_command(
        "eval",
        "--dataset",
        str(beir_folder),
        "--splits",
        "train,test",
        "--compare-fusion",
        "--no-progress",
        "--workspace",
        "topics-compare",
    )
    printed = capsys.readouterr().out
    assert "tuned on 5 train questions, scored on 3 held out" in printed
    for label in ("today's RRF", "tuned rrf", "tuned convex", "tuned adaptive"):
        assert label in printed
    with pytest.raises(CommandError, match="--splits train,test"):
        call_command("eval", "--dataset", str(beir_folder), "--compare-fusion", "--no-progress")


def test_eval_scores_shares_of_a_documents_second_chunk(capsys):
    """A long document with many fair chunks against a short one with one strong chunk: with no
    share the strong chunk's document leads, with a full share the long document does."""
    workspace = Workspace.objects.create(id="long", name="Long")
    sections = "\n\n".join(
        f"## Part {index}\n\nThe {word} tides chapter, with notes on harbours and boats."
        for index, word in enumerate(["spring", "neap", "king", "red", "rip", "tidal"])
    )
    for uri, content in [("short.md", "# Tides\n\nTides, tides and the tides."), ("long.md", f"# Sea\n\n{sections}")]:
        documents_index(
            document_ids=[document_upsert(workspace=workspace, content=content, source_uri=uri).document.pk]
        )
    evaluation_set = EvaluationSet.objects.create(workspace=workspace, name="long")
    evaluation_set_import_jsonl(
        evaluation_set=evaluation_set, lines=[json.dumps({"query": "tides", "documents": ["long.md"]})]
    )

    call_command("eval", "--workspace", "long", "--set", "long", "--chunk-shares", "0,1", "--no-progress")
    printed = capsys.readouterr().out
    assert "next chunk share" in printed
    shares = EvaluationRun.objects.get(evaluation_set=evaluation_set).details["by_next_chunk_share"]
    assert shares["0.0"]["mrr@10"] == 0.5 and shares["1.0"]["mrr@10"] == 1.0, shares
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("eval", "--workspace", "long", "--set", "long", "--chunk-shares", "2", "--no-progress")
