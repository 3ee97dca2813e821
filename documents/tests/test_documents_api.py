import pytest

from documents.models import Chunk, Document, DocumentStatus
from documents.tests.factories import ChunkFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def test_list_filters_by_status_and_counts_chunks(client_for, viewer_key, workspace, other_workspace):
    done = DocumentFactory(workspace=workspace)
    ChunkFactory.create_batch(2, document=done)
    DocumentFactory(workspace=workspace, status=DocumentStatus.FAILED)
    DocumentFactory(workspace=other_workspace)
    client = client_for(viewer_key, workspace)
    body = client.get("/documents").json()
    assert body["count"] == 2
    assert client.get("/documents?status=completed").json()["results"][0]["chunk_count"] == 2
    assert client.get("/documents?status=failed").json()["count"] == 1
    bad = client.get("/documents?status=nonsense")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "validation_error"


def test_detail_and_delete(client_for, editor_key, workspace):
    document = DocumentFactory(workspace=workspace)
    ChunkFactory(document=document)
    client = client_for(editor_key, workspace)
    detail = client.get(f"/documents/{document.pk}").json()
    assert detail["id"] == str(document.pk) and detail["chunk_count"] == 1
    assert "content" not in detail
    assert client.delete(f"/documents/{document.pk}").status_code == 204
    assert client.get(f"/documents/{document.pk}").status_code == 404
    assert not Chunk.objects.exists()


def test_unknown_and_malformed_ids_are_404(client_for, viewer_key, workspace):
    client = client_for(viewer_key, workspace)
    assert client.get("/documents/00000000-0000-0000-0000-000000000000").status_code == 404
    response = client.get("/documents/not-a-uuid")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_workspace_can_be_named_by_query_parameter(client_for, viewer_key, workspace):
    DocumentFactory(workspace=workspace)
    assert client_for(viewer_key).get(f"/documents?workspace_id={workspace.pk}").json()["count"] == 1
    assert Document.objects.count() == 1
