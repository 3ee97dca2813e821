import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from pgvector.django import CosineDistance

from documents.models import Chunk, Document
from documents.tests.factories import ChunkFactory, DocumentFactory

pytestmark = pytest.mark.django_db


def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_pgvector_extension_and_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        assert cursor.fetchone() is not None
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'documents_chunk'")
        indexes = dict(cursor.fetchall())
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'documents_chunk'::regclass AND attname = 'embedding'"
        )
        column_type = cursor.fetchone()[0]
    assert "USING hnsw (embedding vector_cosine_ops)" in indexes["chunk_embedding_hnsw"]
    assert "USING gin (search_vector)" in indexes["chunk_search_vector_gin"]
    assert column_type == "vector(384)"


def test_cosine_search_orders_by_similarity():
    document = DocumentFactory()
    near = ChunkFactory(document=document, text="kubernetes sync waves")
    ChunkFactory(document=document, text="completely unrelated cooking recipe")
    query = ChunkFactory.build(text="sync waves").embedding
    ranked = list(Chunk.objects.order_by(CosineDistance("embedding", query)).values_list("pk", flat=True))
    assert ranked[0] == near.pk


def test_wrong_dimension_is_rejected_by_the_database():
    document = DocumentFactory()
    with pytest.raises(Exception, match="expected 384 dimensions"):
        ChunkFactory(document=document, embedding=[0.1] * 3)


def test_source_uri_is_unique_per_workspace_but_blank_is_not():
    document = DocumentFactory(source_uri="a.md")
    DocumentFactory(workspace=document.workspace, source_uri="")
    DocumentFactory(workspace=document.workspace, source_uri="")
    DocumentFactory(source_uri="a.md")  # another workspace may use the same path
    with pytest.raises(IntegrityError):
        DocumentFactory(workspace=document.workspace, source_uri="a.md")


def test_deleting_a_document_deletes_its_chunks():
    document = DocumentFactory()
    ChunkFactory.create_batch(2, document=document)
    document.delete()
    assert not Chunk.objects.exists()
    assert not Document.objects.exists()


def test_searchable_means_completed_only():
    done = DocumentFactory(status="completed")
    DocumentFactory(status="processing")
    DocumentFactory(status="failed")
    assert list(Document.objects.searchable()) == [done]
