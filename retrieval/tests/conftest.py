import pytest

from documents.services import document_index, document_upsert


@pytest.fixture
def ingest(db):
    """ingest(workspace, content, source_uri=..., metadata=...) -> the indexed Document."""

    def make(workspace, content, source_uri="", metadata=None, title=""):
        result = document_upsert(
            workspace=workspace, content=content, source_uri=source_uri, metadata=metadata, title=title
        )
        return document_index(document_id=result.document.pk)

    return make
