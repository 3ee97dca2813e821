import json

import pytest
from django.core.management import CommandError, call_command

from documents.models import Document
from evals.beir import BeirDataset, write_beir
from providers import rerank
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_dataset(tmp_path):
    dataset = BeirDataset(
        name="tiny",
        corpus={
            "d1": {"title": "Sync waves", "text": "Waves order the sync of resources."},
            "d2": {"title": "Bread", "text": "Knead the dough and bake it."},
            "d3": {"title": "Hooks", "text": "Hooks run before a sync."},
        },
        queries={"q1": "how do sync waves order resources", "q2": "baking bread dough"},
        qrels={"q1": {"d1": 1}, "q2": {"d2": 1}},
    )
    write_beir(dataset, tmp_path / "tiny", split="test")
    (tmp_path / "tiny" / "qrels" / "train.tsv").write_text("query-id\tcorpus-id\tscore\nq2\td2\t1\n")
    return tmp_path / "tiny"


def run_eval(dataset_dir, tmp_path, *extra):
    report = tmp_path / "report.json"
    call_command(
        "eval",
        "--dataset",
        str(dataset_dir),
        "--no-progress",
        "--json",
        str(report),
        "--history",
        str(tmp_path / "history.jsonl"),
        *extra,
    )
    return json.loads(report.read_text())


def test_eval_reports_every_mode_and_a_second_run_embeds_nothing(tiny_dataset, tmp_path, capsys):
    first = run_eval(tiny_dataset, tmp_path)
    assert first["documents_indexed_this_run"] == 3
    assert set(first["results"]) == {"vector", "keyword", "hybrid"}
    assert first["results"]["keyword"]["ndcg@10"] == 1.0
    assert "nDCG@10" in capsys.readouterr().out
    second = run_eval(tiny_dataset, tmp_path)
    assert second["documents_indexed_this_run"] == 0
    assert second["results"] == first["results"] | {mode: second["results"][mode] for mode in second["results"]}
    assert (tmp_path / "history.jsonl").read_text().count("\n") == 2


def test_eval_fails_under_thresholds(tiny_dataset, tmp_path):
    with pytest.raises(CommandError, match="keyword.ndcg@10"):
        run_eval(tiny_dataset, tmp_path, "--modes", "keyword", "--fail-under", "keyword.ndcg@10=1.01")
    with pytest.raises(CommandError, match="MODE.METRIC=VALUE"):
        run_eval(tiny_dataset, tmp_path, "--fail-under", "nonsense")
    with pytest.raises(CommandError, match="No BEIR dataset"):
        run_eval(tmp_path / "missing", tmp_path)


def test_eval_compares_models_side_by_side_each_in_its_own_workspace(tiny_dataset, tmp_path, capsys):
    records = run_eval(
        tiny_dataset, tmp_path, "--models", "fake-hash,fake-other", "--splits", "test,train", "--modes", "vector,hybrid"
    )
    assert [(record["embedding_model"], record["split"], record["queries"]) for record in records] == [
        ("fake-hash", "test", 2),
        ("fake-hash", "train", 1),
        ("fake-other", "test", 2),
        ("fake-other", "train", 1),
    ]
    assert [record["documents_indexed_this_run"] for record in records] == [3, 0, 3, 0]
    assert set(Workspace.objects.values_list("pk", flat=True)) >= {"eval-tiny-fake-hash", "eval-tiny-fake-other"}
    assert set(
        Document.objects.filter(workspace_id="eval-tiny-fake-other").values_list("embedding_model", flat=True)
    ) == {"fake-other"}
    table = capsys.readouterr().out
    assert "fake-other" in table and "train" in table and "2 test queries, 1 train queries" in table
    assert (tmp_path / "history.jsonl").read_text().count("\n") == 4
    with pytest.raises(CommandError, match="fake-other train: hybrid.ndcg@10"):
        run_eval(
            tiny_dataset,
            tmp_path,
            "--models",
            "fake-hash,fake-other",
            "--splits",
            "train",
            "--fail-under=hybrid.ndcg@10=1.01",
        )
    with pytest.raises(CommandError, match="No qrels/dev.tsv"):
        run_eval(tiny_dataset, tmp_path, "--splits", "dev")


@pytest.mark.slow
def test_eval_with_rerank_uses_the_bundled_cross_encoder_when_none_is_configured(tiny_dataset, tmp_path):
    record = run_eval(tiny_dataset, tmp_path, "--rerank")
    assert set(record["results"]) == {"vector", "keyword", "hybrid", "hybrid+rerank"}
    assert record["settings"]["RERANKER_PROVIDER"] == "cross-encoder"
    assert record["results"]["hybrid+rerank"]["ndcg@10"] == 1.0
    assert rerank.get_reranker() is None  # the configuration is back as it was


def test_bench_reports_ratios_against_baselines_measured_in_the_same_run(tiny_dataset, capsys):
    call_command("bench", "all", "--dataset", str(tiny_dataset), "--documents", "3", "--queries", "2")
    out = capsys.readouterr().out
    assert "ingest (fake-hash): 3 documents, 3 chunks" in out and "raw encoder on the same texts: ratio" in out
    assert "search (fake-hash): 2 queries over 3 chunks" in out and "x its parts" in out
    assert "query embedding p50" in out
