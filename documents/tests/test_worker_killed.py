"""A worker killed in the middle of indexing: the document is queued again by the sweep and
completed exactly once by another worker, with no duplicate chunk and exact BM25 statistics."""

import os
import signal
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from documents.indexing import documents_requeue_stuck
from documents.models import Chunk, Document, DocumentStatus
from retrieval.models import CorpusStat, TermStat
from testing.openai_server import Hang
from testing.processes import start_celery_worker, stop_process, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DOCUMENT = {"content": "# Killed\n\n## One\n\nThe first section.\n\n## Two\n\nThe second section.", "title": "Killed"}


def test_a_document_whose_worker_was_killed_is_completed_once(client_for, editor_key, workspace, openai_server):
    openai_server.dimension = settings.EMBEDDING_DIMENSION
    environment = {
        "EMBEDDING_PROVIDER": "openai",
        "EMBEDDING_MODEL": "compatible-embedder",
        "EMBEDDING_DIMENSION": str(settings.EMBEDDING_DIMENSION),
        "OPENAI_BASE_URL": openai_server.base_url,
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_TIMEOUT_SECONDS": "60",
        "OPENAI_MAX_RETRIES": "0",
    }
    # The first embedding request hangs: the worker is caught in the middle of indexing.
    openai_server.enqueue(Hang(seconds=30), endpoint="embeddings")
    first = start_celery_worker(**environment)
    second = None
    try:
        client_for(editor_key, workspace).post("/documents", DOCUMENT, format="json")
        assert wait_for(lambda: len(openai_server.requests_to("embeddings")) == 1, timeout=60)
        assert Document.objects.get().status == DocumentStatus.PROCESSING
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

        second = start_celery_worker(**environment)
        # Past DOCUMENT_STUCK_SECONDS the beat sweep finds the document and queues it again.
        assert len(documents_requeue_stuck(now=timezone.now() + timedelta(hours=1))) == 1
        assert wait_for(lambda: Document.objects.get().status == DocumentStatus.COMPLETED, timeout=90)
    finally:
        stop_process(first)
        if second is not None:
            stop_process(second)

    document = Document.objects.get()
    ordinals = list(Chunk.objects.filter(document=document).values_list("ordinal", flat=True))
    assert sorted(ordinals) == [0, 1]  # every chunk once
    assert bm25_statistics(workspace) == recounted(workspace)


def bm25_statistics(workspace):
    corpus = CorpusStat.objects.get(workspace=workspace)
    terms = dict(TermStat.objects.filter(workspace=workspace, df__gt=0).values_list("lexeme", "df"))
    return terms, corpus.chunk_count, corpus.total_length


def recounted(workspace):
    df, count, total = {}, 0, 0
    for chunk in Chunk.objects.filter(workspace=workspace):
        count, total = count + 1, total + chunk.term_count
        for lexeme in chunk.term_freqs:
            df[lexeme] = df.get(lexeme, 0) + 1
    return df, count, total
