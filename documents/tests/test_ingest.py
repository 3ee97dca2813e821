import pytest
from django.core.management import CommandError, call_command

from documents.indexing import documents_index
from documents.models import Chunk, Document, DocumentStatus
from documents.rules import DocumentRejected
from documents.services import document_upsert
from providers import embeddings
from workspaces.tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

GUIDE = "---\ntags: [ops]\n---\n# Guide\n\nIntro text.\n\n## Install\n\nRun the installer.\n"


@pytest.fixture
def counting_embedder(monkeypatch):
    """The fake embedder, counting how many texts it is asked to embed."""
    embedder = embeddings.get_embedder()
    calls = []
    original = embedder.embed_documents

    def counted(texts):
        calls.extend(texts)
        return original(texts)

    monkeypatch.setattr(embedder, "embed_documents", counted)
    return calls


def test_upsert_and_index_make_searchable_chunks(workspace):
    result = document_upsert(workspace=workspace, content=GUIDE, source_uri="guide.md")
    assert result.needs_indexing and result.document.status == DocumentStatus.PENDING
    documents_index(document_ids=[result.document.pk])
    document = Document.objects.get(pk=result.document.pk)
    assert document.status == DocumentStatus.COMPLETED
    assert document.title == "Guide" and document.metadata == {"tags": ["ops"]}
    assert document.embedding_model == "fake-hash" and document.embedding_dimension == 384
    chunks = list(document.chunks.order_by("ordinal"))
    assert [chunk.heading_path for chunk in chunks] == [["Guide"], ["Guide", "Install"]]
    assert all(chunk.embedding is not None and chunk.search_vector for chunk in chunks)
    assert all(chunk.workspace_id == workspace.pk for chunk in chunks)


def test_unchanged_document_does_no_work_and_changed_one_reembeds_only_changed_chunks(workspace, counting_embedder):
    document = document_upsert(workspace=workspace, content=GUIDE, source_uri="guide.md").document
    documents_index(document_ids=[document.pk])
    assert len(counting_embedder) == 2

    again = document_upsert(workspace=workspace, content=GUIDE, source_uri="guide.md")
    assert not again.needs_indexing and again.document.pk == document.pk

    changed = GUIDE.replace("Run the installer.", "Run the new installer.")
    result = document_upsert(workspace=workspace, content=changed, source_uri="guide.md")
    assert result.needs_indexing and result.document.pk == document.pk
    documents_index(document_ids=[document.pk])
    assert len(counting_embedder) == 3  # only the changed chunk was embedded again
    assert Document.objects.count() == 1
    assert "new installer" in Chunk.objects.get(document=document, ordinal=1).text


@pytest.mark.parametrize("content", ["", "   \n\n", "text\x00binary"])
def test_empty_or_binary_content_is_rejected(workspace, content):
    with pytest.raises(DocumentRejected):
        document_upsert(workspace=workspace, content=content)
    assert not Document.objects.exists()


def test_a_failure_leaves_no_visible_chunks(workspace, monkeypatch):
    document = document_upsert(workspace=workspace, content=GUIDE).document

    def broken(texts):
        raise RuntimeError("model crashed")

    monkeypatch.setattr(embeddings.get_embedder(), "embed_documents", broken)
    with pytest.raises(RuntimeError):
        documents_index(document_ids=[document.pk])
    document.refresh_from_db()
    assert document.status == DocumentStatus.FAILED and "model crashed" in document.error
    assert not Chunk.objects.exists()
    assert not Document.objects.searchable().exists()


def test_indexing_a_deleted_document_exits_quietly(workspace):
    document = document_upsert(workspace=workspace, content=GUIDE).document
    document_pk = document.pk
    document.delete()
    assert documents_index(document_ids=[document_pk]) == {"completed": 0, "failed": 0}


def test_ingest_command_walks_folders_and_is_idempotent(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "one.md").write_text(GUIDE)
    (tmp_path / "sub" / "two.markdown").write_text("# Two\n\nSecond document.")
    (tmp_path / "notes.txt").write_text("Plain text notes.")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    call_command("ingest", str(tmp_path), "--workspace", "docs", "--no-progress")
    assert "docs: 3 indexed, 0 unchanged, 1 failed" in capsys.readouterr().out
    assert set(Document.objects.values_list("source_uri", flat=True)) == {"one.md", "sub/two.markdown", "notes.txt"}
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.COMPLETED}
    call_command("ingest", str(tmp_path), "--workspace", "docs", "--no-progress")
    assert "docs: 0 indexed, 3 unchanged, 1 failed" in capsys.readouterr().out


def test_ingest_command_rejects_missing_paths_and_archived_workspaces(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest", str(tmp_path / "missing"), "--workspace", "docs")
    from django.utils import timezone

    WorkspaceFactory(id="frozen", archived_at=timezone.now())
    with pytest.raises(CommandError, match="archived"):
        call_command("ingest", str(tmp_path), "--workspace", "frozen")
