import pytest

from documents.indexing import documents_index
from documents.models import Document
from documents.services import document_upsert


@pytest.fixture
def ingest(db):
    """ingest(workspace, content, source_uri=..., metadata=...) -> the indexed Document."""

    def make(workspace, content, source_uri="", metadata=None, title=""):
        result = document_upsert(
            workspace=workspace, content=content, source_uri=source_uri, metadata=metadata, title=title
        )
        documents_index(document_ids=[result.document.pk])
        return Document.objects.get(pk=result.document.pk)

    return make
