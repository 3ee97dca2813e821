import pytest

from chat import generators, rewrite
from documents.services import document_upsert, documents_index

RUNBOOK = """# Rollback runbook

## Rolling back a deployment

To roll back a deployment, run `kubectl rollout undo deployment/web` and watch the pods restart.
The previous ReplicaSet is scaled up again while the new one is scaled down.

## Checking the result

Check that every pod is ready with `kubectl get pods` before closing the incident.
"""


@pytest.fixture
def runbook(workspace):
    document = document_upsert(workspace=workspace, content=RUNBOOK, source_uri="runbook.md").document
    documents_index(document_ids=[document.pk])
    return document


@pytest.fixture
def fake_generator(settings):
    """The `fake` generator, scriptable through the returned instance."""
    settings.GENERATOR_PROVIDER = "fake"
    generators.get_generator.cache_clear()
    yield generators.get_generator()
    generators.get_generator.cache_clear()


@pytest.fixture(autouse=True)
def fresh_providers():
    generators.get_generator.cache_clear()
    rewrite.get_query_rewriter.cache_clear()
    yield
    generators.get_generator.cache_clear()
    rewrite.get_query_rewriter.cache_clear()


@pytest.fixture
def local_embedder(settings):
    """The real local model, for tests whose meaning depends on real similarities (guards)."""
    from retrieval import embeddings

    settings.EMBEDDING_PROVIDER = "local"
    settings.EMBEDDING_MODEL = "all-MiniLM-L6-v2"
    embeddings.get_embedder.cache_clear()
    yield embeddings.get_embedder()
    embeddings.get_embedder.cache_clear()
