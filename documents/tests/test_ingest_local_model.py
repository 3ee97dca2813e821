"""Ingestion with the real local models: the token budget, and the counting, are each model's own."""

from pathlib import Path

import pytest
from django.test import override_settings

from documents.ingest import ingest_paths
from documents.models import Chunk, DocumentStatus
from providers import embeddings
from providers.catalogue import model_settings

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "argocd"


@pytest.fixture(params=["bge-small-en-v1.5", "all-MiniLM-L6-v2"])
def local_embedder(request):
    with override_settings(EMBEDDING_PROVIDER="local", EMBEDDING_MODEL=request.param, **model_settings(request.param)):
        yield embeddings.get_embedder()


@pytest.mark.slow
@pytest.mark.django_db
def test_sample_documents_ingest_within_the_models_token_budget(local_embedder, workspace):
    files = [SAMPLES / "faq.md", SAMPLES / "core_concepts.md"]
    report = ingest_paths(workspace=workspace, paths=files)
    assert report.indexed == 2 and not report.failed
    chunks = list(Chunk.objects.filter(workspace=workspace))
    assert len(chunks) > 15
    assert {chunk.document.status for chunk in chunks} == {DocumentStatus.COMPLETED}
    assert {chunk.document.embedding_model for chunk in chunks} == {local_embedder.model_name}
    budget = {"bge-small-en-v1.5": 512, "all-MiniLM-L6-v2": 256}[local_embedder.model_name]
    assert local_embedder.max_tokens == budget
    assert budget // 2 < max(local_embedder.count_tokens(chunk.text) for chunk in chunks) <= budget
    assert all(chunk.token_count == local_embedder.count_tokens(chunk.text) for chunk in chunks)
