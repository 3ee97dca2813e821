import json
import subprocess
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from documents.checks import vector_column_problem
from documents.ingest import ingest_paths
from evals.answer_eval import evaluate_answers, load_answer_cases
from evals.beir import load_beir
from evals.fusion_comparison import compare_fusion, comparison_table
from evals.retrieval_eval import (
    available_modes,
    embedding_model_in_use,
    eval_workspace_id,
    evaluate,
    load_dataset,
    reranker_in_use,
)
from providers.embeddings import get_embedder
from providers.errors import ProviderNotAvailable
from retrieval.evaluation.scoring import evaluation_set_evaluate
from retrieval.models import EvaluationSet
from workspaces.models import Workspace
from workspaces.services import workspace_get_or_create

RECORDED_SETTINGS = (
    "EMBEDDING_DIMENSION",
    "SEMANTIC_WEIGHT",
    "KEYWORD_WEIGHT",
    "RRF_K",
    "BM25_K1",
    "BM25_B",
    "KEYWORD_HEADING_WEIGHT",
    "CHUNK_MAX_TOKENS",
    "CHUNK_OVERLAP_TOKENS",
    "RERANKER_PROVIDER",
    "RERANKER_MODEL",
    "RERANK_TOP_K",
    "RERANK_MODE",
)
METRICS = (
    "ndcg@10",
    "recall@100",
    "mrr@10",
    "answer@5",
    "answer_accuracy",
    "refusal_accuracy",
    "citation_validity",
)


class Command(BaseCommand):
    help = (
        "Evaluate retrieval on a BEIR dataset through the /search pipeline (nDCG@10, Recall@100, MRR@10), "
        "or a workspace on its own evaluation set (--workspace W --set S)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", type=Path, default=settings.EVAL_DATASET_DIR, help="A BEIR-format folder.")
        parser.add_argument(
            "--splits", "--split", dest="splits", default="test", help="Comma separated qrels files: test, train."
        )
        parser.add_argument(
            "--models",
            help="Comma separated embedding models to compare, each in its own workspace (default: as configured).",
        )
        parser.add_argument("--workspace", help="Workspace to load the corpus into (default eval-<dataset>-<model>).")
        parser.add_argument("--modes", help="Comma separated: vector, keyword, hybrid, hybrid+rerank.")
        parser.add_argument(
            "--rerank",
            action="store_true",
            help="Add hybrid+rerank, with the configured reranker or else the bundled cross-encoder.",
        )
        parser.add_argument("--max-queries", type=int, help="Only the first N queries (a quick look).")
        parser.add_argument(
            "--fail-under",
            action="append",
            default=[],
            metavar="MODE.METRIC=VALUE",
            help="Exit non-zero when a figure is below VALUE, e.g. hybrid.ndcg@10=0.70 (repeatable).",
        )
        parser.add_argument("--json", type=Path, help="Also write the report as JSON here.")
        parser.add_argument(
            "--history",
            default=str(settings.EVAL_HISTORY_FILE),
            help="Append the run to this JSONL trend file ('' to skip).",
        )
        parser.add_argument(
            "--answers", type=Path, help="Evaluate answers instead: a JSONL answer dataset (see evals/answer_eval.py)."
        )
        parser.add_argument(
            "--answer-documents",
            type=Path,
            default=settings.BASE_DIR / "samples" / "argocd",
            help="Documents the answer dataset is about (loaded into workspace eval-answers).",
        )
        parser.add_argument(
            "--set",
            dest="evaluation_set",
            help="Score --workspace on this evaluation set of its own (manage.py evalset); the run is kept.",
        )
        parser.add_argument(
            "--part", choices=["all", "train", "test"], default="all", help="With --set: which of its questions."
        )
        parser.add_argument(
            "--chunk-shares",
            help="With --set: also score these shares of a document's second best chunk, e.g. 0,0.1,0.25 "
            "(DOCUMENT_NEXT_CHUNK_SHARE).",
        )
        parser.add_argument(
            "--compare-fusion",
            action="store_true",
            help="BEIR: today's RRF against RRF, convex and adaptive fusion tuned on the train split, "
            "scored on the other --splits.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        thresholds = [_parse_threshold(text) for text in options["fail_under"]]
        if options["answers"]:
            return self.handle_answers(options, thresholds)
        if options["evaluation_set"]:
            return self.handle_set(options, thresholds)
        dataset_dir: Path = options["dataset"]
        if not (dataset_dir / "corpus.jsonl").exists():
            raise CommandError(f"No BEIR dataset at {dataset_dir} (corpus.jsonl missing).")
        splits = [split.strip() for split in options["splits"].split(",") if split.strip()]
        models = [model.strip() for model in (options["models"] or "").split(",") if model.strip()] or [None]
        if options["workspace"] and len(models) > 1:
            raise CommandError("--workspace names one workspace; leave it out to compare several --models.")
        for split in splits:
            if not (dataset_dir / "qrels" / f"{split}.tsv").exists():
                raise CommandError(f"No qrels/{split}.tsv in {dataset_dir}.")
        datasets = {split: load_beir(dataset_dir, split=split) for split in splits}
        if options["max_queries"]:
            for dataset in datasets.values():
                dataset.queries = dict(list(dataset.queries.items())[: options["max_queries"]])

        if options["compare_fusion"]:
            return self.handle_fusion_comparison(dataset_dir, datasets, splits, models, options)

        records = []
        with reranker_in_use() if options["rerank"] else nullcontext():
            modes = options["modes"].split(",") if options["modes"] else available_modes()
            unknown = set(modes) - {"vector", "keyword", "hybrid", "hybrid+rerank"}
            if unknown:
                raise CommandError(f"Unknown modes: {', '.join(sorted(unknown))}")
            for model in models:
                try:
                    with embedding_model_in_use(model) as embedder:
                        records.extend(self.evaluate_model(embedder, datasets, modes, options))
                except ProviderNotAvailable as exc:
                    raise CommandError(str(exc)) from exc
        self.stdout.write(_table(records))
        self.finish(records, options, thresholds)

    def evaluate_model(self, embedder, datasets: dict, modes: list[str], options: dict) -> list[dict]:
        """Load the corpus into the model's workspace, then run every split's queries in every mode."""
        quiet = options["no_progress"] or None
        problem = vector_column_problem()
        if problem:
            raise CommandError(f"{embedder.model_name}: {problem}")
        first = next(iter(datasets.values()))
        workspace_id = options["workspace"] or eval_workspace_id(first.name, embedder.model_name)
        with tqdm(desc=f"embedding ({embedder.model_name})", unit="chunk", disable=quiet, file=self.stderr) as bar:
            workspace, indexed = load_dataset(first, workspace_id=workspace_id, progress=bar.update)
        records = []
        for split, dataset in datasets.items():
            with tqdm(
                total=len(dataset.queries) * len(modes),
                desc=f"searching ({embedder.model_name}, {split})",
                unit="query",
                disable=quiet,
                file=self.stderr,
            ) as bar:
                reports = evaluate(dataset, workspace=workspace, modes=modes, on_query=lambda: bar.update(1))
            records.append(
                {
                    "time": datetime.now(UTC).isoformat(timespec="seconds"),
                    "commit": _git_commit(),
                    "dataset": dataset.name,
                    "split": split,
                    "documents": len(dataset.corpus),
                    "queries": len(dataset.queries),
                    "documents_indexed_this_run": indexed,
                    "embedding_model": embedder.model_name,
                    "settings": {name: getattr(settings, name) for name in RECORDED_SETTINGS},
                    "results": {
                        report.mode: {
                            **report.metrics(),
                            "latency_ms_p50": report.latency_ms_p50,
                            "latency_ms_p95": report.latency_ms_p95,
                        }
                        for report in reports
                    },
                }
            )
            indexed = 0
        return records

    def handle_fusion_comparison(self, dataset_dir: Path, datasets: dict, splits: list[str], models, options):
        held_out = [split for split in splits if split != "train"]
        if "train" not in splits or not held_out:
            raise CommandError("--compare-fusion tunes on train and scores the rest: --splits train,test")
        with embedding_model_in_use(models[0]) as embedder:
            first = next(iter(datasets.values()))
            workspace_id = options["workspace"] or eval_workspace_id(first.name, embedder.model_name)
            quiet = options["no_progress"] or None
            with tqdm(desc=f"embedding ({embedder.model_name})", unit="chunk", disable=quiet, file=self.stderr) as bar:
                workspace, _ = load_dataset(first, workspace_id=workspace_id, progress=bar.update)
            with tqdm(desc="searching", unit="question", disable=quiet, file=self.stderr) as bar:
                comparison = compare_fusion(
                    workspace=workspace, dataset_dir=dataset_dir, held_out=held_out, progress=lambda: bar.update(1)
                )
        self.stdout.write(comparison_table(comparison))

    def handle_set(self, options, thresholds):
        workspace = Workspace.objects.filter(pk=options["workspace"] or "").first()
        if workspace is None:
            raise CommandError("--set needs --workspace naming an existing workspace.")
        evaluation_set = EvaluationSet.objects.filter(workspace=workspace, name=options["evaluation_set"]).first()
        if evaluation_set is None:
            raise CommandError(f"Workspace {workspace.pk} has no evaluation set named {options['evaluation_set']!r}.")
        if not evaluation_set.questions.exists():
            raise CommandError(f"The evaluation set {evaluation_set.name!r} has no questions yet.")
        with tqdm(
            total=evaluation_set.questions.count() if options["part"] == "all" else None,
            desc="searching",
            unit="question",
            disable=options["no_progress"] or None,
            file=self.stderr,
        ) as bar:
            run = evaluation_set_evaluate(
                evaluation_set,
                split=options["part"],
                progress=lambda: bar.update(1),
                next_shares=_shares(options["chunk_shares"]),
            )
        self.stdout.write(
            f"{workspace.pk} / {evaluation_set.name}: {run.questions} questions ({run.split}), "
            f"{run.fusion['method']} fusion, search p50 {run.details['search_ms_p50']} ms, "
            f"p95 {run.details['search_ms_p95']} ms"
        )
        for name, value in run.metrics.items():
            self.stdout.write(f"  {name:<12}{'—' if value is None else f'{value:.4f}':>8}")
        if run.details.get("by_next_chunk_share"):
            self.stdout.write(f"{'next chunk share':<18}{'nDCG@10':>9}{'R@100':>9}{'MRR@10':>9}")
            for share, figures in run.details["by_next_chunk_share"].items():
                self.stdout.write(
                    f"{share:<18}{figures['ndcg@10']:>9.4f}{figures['recall@100']:>9.4f}{figures['mrr@10']:>9.4f}"
                )
        earlier = evaluation_set.runs.filter(kind=run.kind, split=run.split).exclude(pk=run.pk)[:5]
        if earlier:
            self.stdout.write(
                "trend (nDCG@10, newest first): "
                + ", ".join(
                    f"{past.created_at:%Y-%m-%d %H:%M} {past.metrics.get('ndcg@10', 0):.4f}" for past in earlier
                )
            )
        record = {"embedding_model": run.embedding_model, "results": {"set": run.metrics}}
        self.finish([record], {**options, "history": ""}, thresholds)  # the runs are the set's trend

    def handle_answers(self, options, thresholds):
        if not options["answers"].exists():
            raise CommandError(f"No answer dataset at {options['answers']}.")
        cases = load_answer_cases(options["answers"])
        workspace = workspace_get_or_create(workspace_id=options["workspace"] or "eval-answers")
        ingest_paths(workspace=workspace, paths=[options["answer_documents"]])
        report = evaluate_answers(cases, workspace=workspace)
        record = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": _git_commit(),
            "dataset": options["answers"].name,
            "cases": report.cases,
            "embedding_model": get_embedder().model_name,
            "generator": settings.GENERATOR_PROVIDER,
            "results": {"answers": report.metrics()},
            "failures": report.failures,
        }
        self.stdout.write(
            f"{record['dataset']}: {report.cases} questions, generator {record['generator']}\n"
            + "\n".join(f"{name:<20}{value:>8.4f}" for name, value in report.metrics().items())
        )
        for failure in report.failures:
            self.stdout.write(f"  {failure['id']}: {failure['problem']}")
        self.finish([record], options, thresholds)

    def finish(self, records: list[dict], options: dict, thresholds: list) -> None:
        """Write the report and trend lines, then fail when a figure is under its threshold."""
        if options["json"]:
            options["json"].write_text(json.dumps(records[0] if len(records) == 1 else records, indent=2))
        if options["history"]:
            history = Path(options["history"])
            history.parent.mkdir(parents=True, exist_ok=True)
            with open(history, "a", encoding="utf-8") as handle:
                for record in records:
                    handle.write(json.dumps(record) + "\n")

        failures = []
        for record in records:
            where = f"{record['embedding_model']} {record.get('split', '')}: " if len(records) > 1 else ""
            for mode, metric, minimum in thresholds:
                value = record["results"].get(mode, {}).get(metric) or 0.0
                if value < minimum:
                    failures.append(f"{where}{mode}.{metric} = {value:.4f} < {minimum}")
        if failures:
            raise CommandError("Below threshold: " + "; ".join(failures))


def _shares(text: str | None) -> list[float]:
    try:
        shares = [float(part) for part in (text or "").split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--chunk-shares wants numbers separated by commas: {text}") from None
    if any(not 0 <= share <= 1 for share in shares):
        raise CommandError("--chunk-shares are between 0 and 1.")
    return shares


def _parse_threshold(text: str) -> tuple[str, str, float]:
    try:
        key, value = text.split("=", 1)
        mode, metric = key.split(".", 1)
        if metric not in METRICS:
            raise ValueError
        return mode, metric, float(value)
    except ValueError:
        raise CommandError(
            f"--fail-under wants MODE.METRIC=VALUE with METRIC in {', '.join(METRICS)}: {text}"
        ) from None


def _table(records: list[dict]) -> str:
    """One line per model, split and mode."""
    first = records[0]
    queries = {record["split"]: record["queries"] for record in records}
    lines = [
        f"{first['dataset']}: {first['documents']} documents; "
        + ", ".join(f"{count} {split} queries" for split, count in queries.items())
    ]
    lines.append(
        f"{'model':<22}{'split':<7}{'mode':<15}{'nDCG@10':>9}{'R@100':>9}{'MRR@10':>9}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for record in records:
        for mode, figures in record["results"].items():
            lines.append(
                f"{record['embedding_model'][-21:]:<22}{record['split']:<7}{mode:<15}"
                f"{figures['ndcg@10']:>9.4f}{figures['recall@100']:>9.4f}{figures['mrr@10']:>9.4f}"
                f"{figures['latency_ms_p50']:>9.1f}{figures['latency_ms_p95']:>9.1f}"
            )
    return "\n".join(lines)


def _git_commit() -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            cwd=settings.BASE_DIR,
        ).stdout.strip()
    except OSError:
        return ""
