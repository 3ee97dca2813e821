import pytest

from documents.tests.factories import ChunkFactory, DocumentFactory

RUNBOOK = "# Rollback runbook\n\nTo roll back a deployment, run kubectl rollout undo.\n"


@pytest.fixture
def runbook(workspace):
    """A completed document of `alpha` with three passages, embedded by the fake embedder."""
    document = DocumentFactory(
        workspace=workspace, title="Rollback runbook", content=RUNBOOK, metadata={"tags": ["ops"]}
    )
    chunks = [
        ChunkFactory(document=document, ordinal=0, text="To roll back a deployment, run kubectl rollout undo."),
        ChunkFactory(document=document, ordinal=1, text="The previous ReplicaSet is scaled up again."),
        ChunkFactory(document=document, ordinal=2, text="Check that every pod is ready before closing the incident."),
    ]
    return document, chunks


def bearer(api_key) -> dict:
    return {"Authorization": f"Bearer {api_key.raw_key}"}
