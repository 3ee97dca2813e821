"""Ingestion by a real worker with an OpenAI-compatible embedder that fails: 5xx, timeouts,
truncated answers. A failed batch is retried by the task; a document that still cannot be
embedded fails with its error and no chunks; nothing is ever left half-indexed."""

import time

import pytest
from django.conf import settings

from documents.models import Chunk, Document, DocumentStatus
from testing.openai_server import Fail, Hang, Malformed
from testing.processes import start_celery_worker, stop_process, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DOCUMENT = {"content": "# Faults\n\n## One\n\nThe first section.\n\n## Two\n\nThe second section.", "title": "Faults"}


@pytest.fixture
def worker(openai_server):
    """A worker whose embedder is the loopback OpenAI-compatible server, failing as scripted."""
    openai_server.dimension = settings.EMBEDDING_DIMENSION
    process = start_celery_worker(
        EMBEDDING_PROVIDER="openai",
        EMBEDDING_MODEL="compatible-embedder",
        EMBEDDING_DIMENSION=str(settings.EMBEDDING_DIMENSION),
        OPENAI_BASE_URL=openai_server.base_url,
        OPENAI_API_KEY="sk-test",
        OPENAI_TIMEOUT_SECONDS="0.5",
        OPENAI_MAX_RETRIES="0",  # the task's own retries are what is tested
        GENERATOR_PROVIDER="fake",  # no sentence vectors after indexing: every request counted is the chunks'
    )
    yield openai_server
    stop_process(process)


def test_failed_batches_are_retried_and_the_document_completes(client_for, editor_key, workspace, worker):
    worker.enqueue(Fail(500), Hang(seconds=2.0), endpoint="embeddings")
    client_for(editor_key, workspace).post("/documents", DOCUMENT, format="json")
    wait_for(lambda: Document.objects.get().status == DocumentStatus.COMPLETED, timeout=90)
    document = Document.objects.get()
    assert document.status == DocumentStatus.COMPLETED, document.error
    assert document.error == "" and Chunk.objects.filter(document=document).count() == 2
    assert len(worker.requests_to("embeddings")) == 3  # two failed tries, then the one that worked


@pytest.mark.parametrize(
    ("failure", "tries"),
    [(Malformed('{"data": [{"embedding": [0.1'), 1), (Fail(500), 6)],
    ids=["truncated answer, not retried", "5xx every time, retried 5 times"],
)
def test_a_document_that_cannot_be_embedded_fails_with_its_error_and_no_chunks(
    client_for, editor_key, workspace, worker, failure, tries
):
    worker.enqueue(*[failure] * 10, endpoint="embeddings")
    client_for(editor_key, workspace).post("/documents", DOCUMENT, format="json")
    wait_for(lambda: len(worker.requests_to("embeddings")) >= tries, timeout=120)
    time.sleep(1.0)  # the last try's outcome is written, and no further try comes
    document = Document.objects.get()
    assert document.status == DocumentStatus.FAILED and "embeddings" in document.error
    assert len(worker.requests_to("embeddings")) == tries
    assert not Chunk.objects.filter(document=document).exists()
    found = client_for(editor_key, workspace).post("/search", {"query": "first section"}, format="json").json()
    assert found["results"] == []  # nothing half-made is searchable
