import pytest

from documents.services import document_upsert, documents_index
from providers import generators

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
    yield generators.get_generator()


@pytest.fixture
def local_embedder(settings):
    """The real local model, for tests whose meaning depends on real similarities (guards)."""
    from providers import embeddings

    settings.EMBEDDING_PROVIDER = "local"
    settings.EMBEDDING_MODEL = "all-MiniLM-L6-v2"
    yield embeddings.get_embedder()
