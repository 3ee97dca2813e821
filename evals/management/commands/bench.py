import statistics
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.roles import Role
from evals.beir import load_beir, make_slice
from evals.benchmarks import (
    SearchBenchmark,
    bench_ingest,
    bench_pages,
    bench_search,
    bench_search_scale,
    plot_scale,
)
from evals.first_token import bench_api_first_token, bench_first_token, sample_site
from evals.ingest_via_api import bench_ingest_via_api
from evals.isolation import grow_workspaces, measure_isolation
from evals.retrieval_eval import embedding_model_in_use, eval_workspace_id, load_dataset
from evals.sample_questions import SAMPLE_QUESTIONS
from providers.embeddings import get_embedder
from providers.errors import ProviderNotAvailable
from workspaces.models import Workspace
from workspaces.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = (
        "Measure ingest throughput against the raw encoder, /search latency against its parts, and the "
        "server time of the web app's long lists with 10,000 rows against the same lists with ten; search --scale: "
        "each leg and the pipeline in a workspace grown to each size, against scoring every keyword match; isolation: "
        "a small workspace's vector and keyword rows beside a large one, against an exact scan."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["ingest", "search", "pages", "first-token", "isolation", "all"])
        parser.add_argument(
            "--url",
            help="first-token: the running server (default http://127.0.0.1:8000); with --via api and no --url, "
            "a web server and workers started for the run on the sample documents.",
        )
        parser.add_argument(
            "--via",
            choices=["browser", "api"],
            help="first-token: the chat page in Chromium (the default) against an HTTP client, or "
            "/v1/chat/completions (the openai client) against /chat/stream, with a key made for the run and "
            "revoked after. ingest: the ingestion services (the default), or uploads one by one through "
            "POST /documents to a web server and the workers of `serve` started for the run.",
        )
        parser.add_argument("--user", default="admin", help="first-token: who signs in and asks.")
        parser.add_argument("--password", default="admin")
        parser.add_argument("--dataset", type=Path, default=settings.EVAL_DATASET_DIR)
        parser.add_argument("--documents", type=int, default=500, help="Documents for the ingest benchmark.")
        parser.add_argument("--workspace", help="Search benchmark: the workspace holding the dataset.")
        parser.add_argument("--queries", type=int, default=200, help="Search benchmark: queries to run.")
        parser.add_argument(
            "--beside",
            type=int,
            default=100_000,
            help="isolation: chunks of the large workspace (grown in a transaction that is rolled back).",
        )
        parser.add_argument(
            "--sizes", default="200,2000,5000,10000,20000", help="isolation: chunks of each small workspace."
        )
        parser.add_argument(
            "--models", help="Comma separated embedding models, measured one after another in this run."
        )
        parser.add_argument(
            "--scale",
            help="search: corpus sizes, e.g. 10k,100k,1m: one workspace grown from the dataset's chunks to each "
            "size (in a transaction rolled back at the end), each leg and the pipeline timed there.",
        )
        parser.add_argument(
            "--scale-vector-max",
            default="100k",
            help="search --scale: above this size only the keyword leg is timed (no HNSW build).",
        )
        parser.add_argument(
            "--baseline-queries",
            type=int,
            default=50,
            help="search --scale: queries also run with every matching chunk scored (the keyword leg before).",
        )
        parser.add_argument(
            "--plot", type=Path, default=Path("search-scale.png"), help="search --scale: the PNG to draw."
        )

    def handle(self, *args, what, dataset, documents, workspace, queries, models, **options):
        if what == "first-token" and options["via"] == "api":
            self.api_first_token(options["url"], workspace or "public", queries)
            return
        if what == "first-token":
            self.first_token(
                options["url"] or "http://127.0.0.1:8000",
                workspace or "public",
                options["user"],
                options["password"],
                queries,
            )
            return
        if what == "isolation":
            self.isolation(options["beside"], [int(size) for size in options["sizes"].split(",")], queries)
            return
        if what in ("pages", "all"):
            self.pages()
        if what == "pages":
            return
        if not (dataset / "corpus.jsonl").exists():
            raise CommandError(f"No BEIR dataset at {dataset}.")
        names = [name.strip() for name in (models or "").split(",") if name.strip()] or [None]
        if options["via"] == "api" and names != [None]:
            raise CommandError("ingest --via api measures the configured model (the workers' own): leave out --models.")
        if workspace and len(names) > 1:
            raise CommandError("--workspace names one workspace; leave it out to compare several --models.")
        full = load_beir(dataset, split="test")
        full.queries = dict(list(full.queries.items())[:queries])
        for name in names:
            try:
                with embedding_model_in_use(name) as embedder:
                    if what in ("ingest", "all"):
                        self.ingest(full, documents, embedder.model_name, via=options["via"])
                    if what == "search" and options["scale"]:
                        self.search_scale(full, workspace, embedder.model_name, options)
                    elif what in ("search", "all"):
                        self.search(full, workspace, embedder.model_name)
            except ProviderNotAvailable as exc:
                raise CommandError(str(exc)) from exc

    def first_token(self, url: str, workspace: str, user: str, password: str, queries: int) -> None:
        questions = SAMPLE_QUESTIONS[: min(queries, len(SAMPLE_QUESTIONS))]
        result = bench_first_token(
            base_url=url, workspace_id=workspace, username=user, password=password, questions=questions
        )
        self.stdout.write(
            f"first token ({result.questions} questions): in the browser p50 "
            f"{statistics.median(result.browser_ms):.1f} ms, max {max(result.browser_ms):.1f} ms; "
            f"the same stream read by an HTTP client p50 {statistics.median(result.http_ms):.1f} ms: "
            f"ratio {result.ratio:.2f}"
        )

    def api_first_token(self, url: str | None, workspace: str, queries: int) -> None:
        questions = SAMPLE_QUESTIONS[: min(queries, len(SAMPLE_QUESTIONS))]
        if url is None:
            with sample_site() as (base_url, workspace_id, raw_key):
                result = bench_api_first_token(
                    base_url=base_url, workspace_id=workspace_id, api_key=raw_key, questions=questions
                )
        else:
            api_key, raw_key = api_key_create(name="bench first-token", role=Role.EDITOR, actor="bench")
            try:
                result = bench_api_first_token(
                    base_url=url, workspace_id=workspace, api_key=raw_key, questions=questions
                )
            finally:
                api_key_revoke(api_key=api_key, actor="bench")
        self.stdout.write(
            f"first token ({result.questions} questions): /v1/chat/completions (openai client) p50 "
            f"{statistics.median(result.openai_ms):.1f} ms, p95 {SearchBenchmark.percentile(result.openai_ms, 95):.1f} "
            f"ms; /chat/stream p50 {statistics.median(result.chat_stream_ms):.1f} ms, p95 "
            f"{SearchBenchmark.percentile(result.chat_stream_ms, 95):.1f} ms: ratio {result.ratio:.2f}"
        )

    def isolation(self, beside: int, sizes: list[int], queries: int) -> None:
        model_name = get_embedder().model_name
        with transaction.atomic():
            large = Workspace.objects.create(id="bench-isolation-large", name="Large")
            small = {size: Workspace.objects.create(id=f"bench-isolation-{size}", name=str(size)) for size in sizes}
            self.stdout.write(f"growing {beside + sum(sizes):,} chunks and building the HNSW index ...")
            grow_workspaces(sizes={large: beside, **{small[size]: size for size in sizes}}, model_name=model_name)
            # The large workspace's keyword leg scores all its chunks per query: fewer queries there.
            for size, workspace, count in [*((s, w, queries) for s, w in small.items()), (beside, large, 20)]:
                result = measure_isolation(workspace=workspace, model_name=model_name, queries=count, limit=100, seed=7)
                self.stdout.write(
                    f"isolation: {size:,} chunks beside {beside + sum(sizes) - size:,} others: vector rows "
                    f"{result.mean_vector_rows:.1f}/100, recall@100 {result.mean_recall:.3f} against an exact scan, "
                    f"keyword rows min {result.min_keyword_rows}/100, rows of other workspaces {result.foreign_rows}; "
                    f"vector leg p50 {statistics.median(result.vector_ms):.1f} ms, "
                    f"p95 {SearchBenchmark.percentile(result.vector_ms, 95):.1f} ms"
                )
            transaction.set_rollback(True)

    def pages(self) -> None:
        lists = {
            "documents list": "/app/w/{workspace}/documents/",
            "documents list, filtered by status": "/app/w/{workspace}/documents/?status=completed",
            "chat-log list": "/app/w/{workspace}/operations/chat-logs/",
            "chat-log list, refused only": "/app/w/{workspace}/operations/chat-logs/?refused=true",
            "chat-log list, text search": "/app/w/{workspace}/operations/chat-logs/?q=Question+99",
        }
        for result in bench_pages(pages=lists):
            self.stdout.write(
                f"page {result.page}: {result.rows:,} rows p50 {statistics.median(result.large_ms):.1f} ms, "
                f"p95 {SearchBenchmark.percentile(result.large_ms, 95):.1f} ms; {result.baseline_rows} rows p50 "
                f"{statistics.median(result.small_ms):.1f} ms: ratio {result.ratio:.2f}"
            )

    def ingest(self, full, documents: int, model: str, via: str | None) -> None:
        sample = make_slice(full, queries=0, distractors=documents, seed=7)
        result = bench_ingest_via_api(sample) if via == "api" else bench_ingest(sample)
        path = "uploaded one by one through POST /documents" if via == "api" else "through the ingestion services"
        self.stdout.write(
            f"ingest ({model}): {result.documents} documents, {result.chunks} chunks: "
            f"{result.ingest_chunks_per_second:.1f} chunks/s {path}, "
            f"{result.encoder_chunks_per_second:.1f} chunks/s raw encoder on the same texts: "
            f"ratio {result.ratio:.2f}"
        )

    def search(self, full, workspace: str | None, model: str) -> None:
        target, _ = load_dataset(full, workspace_id=workspace or eval_workspace_id(full.name, model))
        result = bench_search(full, workspace=target)
        p = result.percentile
        self.stdout.write(
            f"search ({model}): {result.queries} queries over {result.chunks} chunks: /search p50 "
            f"{statistics.median(result.api_ms):.1f} ms, p95 {p(result.api_ms, 95):.1f} ms; pipeline p50 "
            f"{statistics.median(result.pipeline_ms):.1f} ms; query embedding p50 "
            f"{statistics.median(result.embed_ms):.1f} ms, p95 {p(result.embed_ms, 95):.1f} ms; query embedding + SQL "
            f"p50 {statistics.median(result.parts_ms):.1f} ms, p95 {p(result.parts_ms, 95):.1f} ms: "
            f"/search at {result.overhead_ratio:.2f}x its parts"
        )

    def search_scale(self, full, workspace: str | None, model: str, options) -> None:
        sizes = [parse_size(size) for size in options["scale"].split(",") if size.strip()]
        source, _ = load_dataset(full, workspace_id=workspace or eval_workspace_id(full.name, model))
        self.stdout.write(f"search at scale ({model}): {len(full.queries)} queries, chunks copied from {source.pk}")
        points = bench_search_scale(
            full,
            source=source,
            sizes=sizes,
            model_name=model,
            vector_max_chunks=parse_size(options["scale_vector_max"]),
            baseline_queries=options["baseline_queries"],
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        plot_scale(points, options["plot"])
        self.stdout.write(f"plot: {options['plot']}")


def parse_size(text: str) -> int:
    """10k -> 10,000; 1m -> 1,000,000; 5538 -> 5,538."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        return int(float(text[:-1] if factor > 1 else text) * factor)
    except ValueError:
        raise CommandError(f"Not a corpus size: {text!r} (e.g. 10k, 100k, 1m).") from None
