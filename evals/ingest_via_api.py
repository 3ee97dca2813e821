"""Ingestion as users do it: documents uploaded one by one through `POST /documents` to a web
server and workers started as `manage.py serve` starts them, timed from the first upload to
the last document completed; against the raw encoder embedding the same chunk texts, in the
same run, after the site has stopped (so the two never share the cores)."""

import time
from pathlib import Path

import httpx2
from django.conf import settings

from documents.markdown import embedding_text
from documents.models import Chunk, Document, DocumentStatus
from evals.beir import BeirDataset
from evals.benchmarks import IngestBenchmark
from evals.load_target import LOAD_WORKSPACE_NAME, load_api_key, local_site
from evals.retrieval_eval import document_markdown
from providers.embeddings import get_embedder
from workspaces.services import workspace_get_or_create

WARM_UP = "# Warm-up\n\nThe worker loads its model before the timed uploads."


def bench_ingest_via_api(
    dataset: BeirDataset, *, workspace_id: str = "bench-ingest-api", timeout: float = 3600.0
) -> IngestBenchmark:
    workspace = workspace_get_or_create(workspace_id=workspace_id, name=LOAD_WORKSPACE_NAME)
    Document.objects.filter(workspace=workspace).delete()
    log_dir = Path(settings.DATA_DIR) / "bench-ingest-api"
    with load_api_key(workspace=workspace) as api_key, local_site(log_dir=log_dir) as (base_url, _pid):
        headers = {"Authorization": f"Bearer {api_key}", "X-Workspace-ID": workspace_id}
        with httpx2.Client(base_url=base_url, headers=headers, timeout=60.0) as client:
            _upload(client, {"title": "Warm-up", "content": WARM_UP, "source_uri": "warm-up.md"})
            _wait_until_settled(workspace_id, expected=1, timeout=300)
            Document.objects.filter(workspace=workspace).delete()

            started = time.perf_counter()
            for doc_id, document in dataset.corpus.items():
                _upload(client, {"content": document_markdown(document), "source_uri": doc_id})
            _wait_until_settled(workspace_id, expected=len(dataset.corpus), timeout=timeout)
            api_seconds = time.perf_counter() - started

    failed = Document.objects.filter(workspace=workspace).exclude(status=DocumentStatus.COMPLETED).count()
    if failed:
        raise RuntimeError(f"{failed} document(s) were not indexed: see {log_dir}")
    texts = [
        embedding_text(heading_path, text)
        for heading_path, text in Chunk.objects.filter(workspace=workspace).values_list("heading_path", "text")
    ]
    embedder = get_embedder()
    embedder.embed_documents(["warm up the encoder"] * 8)
    started = time.perf_counter()
    embedder.embed_documents(texts)
    encoder_seconds = time.perf_counter() - started
    Document.objects.filter(workspace=workspace).delete()
    return IngestBenchmark(len(dataset.corpus), len(texts), api_seconds, encoder_seconds)


def _upload(client: httpx2.Client, body: dict) -> None:
    response = client.post("/documents", json=body)
    if response.status_code != 202:
        raise RuntimeError(f"POST /documents answered {response.status_code}: {response.text[:300]}")


def _wait_until_settled(workspace_id: str, *, expected: int, timeout: float) -> None:
    settled = [DocumentStatus.COMPLETED, DocumentStatus.FAILED]
    deadline = time.monotonic() + timeout
    while Document.objects.filter(workspace_id=workspace_id, status__in=settled).count() < expected:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the documents were not indexed within {timeout:.0f} s")
        time.sleep(0.2)
