import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from documents.models import Chunk, Document, DocumentStatus, IndexRequest
from providers.embeddings import get_embedder
from workspaces.models import Workspace


def document_list(*, workspace: Workspace, status: str | None = None) -> QuerySet[Document]:
    # A correlated count, not a join: PostgreSQL computes it for the rows of the page only,
    # where GROUP BY over a join would count every document's chunks before the LIMIT.
    chunk_count = (
        Chunk.objects.filter(document=OuterRef("pk")).order_by().values("document").annotate(n=Count("*")).values("n")
    )
    documents = Document.objects.filter(workspace=workspace).annotate(chunk_count=Coalesce(Subquery(chunk_count), 0))
    if status:
        documents = documents.filter(status=status)
    return documents.defer("content").order_by("-created_at", "id")


def documents_counted(*, workspace: Workspace, documents: list[Document]) -> list[Document]:
    """The same documents, in the same order, read again with their `chunk_count`."""
    counted = document_list(workspace=workspace).filter(pk__in=[document.pk for document in documents]).in_bulk()
    return [counted[document.pk] for document in documents]


def document_get(*, workspace: Workspace, document_id) -> Document | None:
    """A document of this workspace; another workspace's id looks like an unknown one."""
    return Document.objects.filter(workspace=workspace, pk=document_id).annotate(chunk_count=Count("chunks")).first()


def document_workspace_id(*, document_id) -> str | None:
    """Which workspace holds a document, for callers that name only the document (MCP tools).
    It reads nothing of the document: the caller must still reach that workspace through
    `workspace_for_principal`, and answer an unreachable one as it answers an unknown id."""
    return Document.objects.filter(pk=document_id).values_list("workspace_id", flat=True).first()


def documents_stale(*, workspace: Workspace | None = None) -> QuerySet[Document]:
    """Documents made with another embedding model than the current one, or not completed:
    what `manage.py reindex --stale` indexes again. All workspaces' when `workspace` is None."""
    return _in_workspace(workspace).exclude(status=DocumentStatus.COMPLETED, embedding_model=get_embedder().model_name)


def documents_awaiting_reindex(*, workspace: Workspace | None = None) -> QuerySet[Document]:
    """Completed documents whose vectors another embedding model made: what a model change leaves to reindex.

    Pending and processing documents are on their way already (a bulk upload is not a model
    change), and failed ones are counted as failed.
    """
    completed = _in_workspace(workspace).filter(status=DocumentStatus.COMPLETED)
    return completed.exclude(embedding_model=get_embedder().model_name)


def documents_for_reindex(*, workspace: Workspace | None = None, only_stale: bool = False) -> QuerySet[Document]:
    """What a reindex covers: the stale documents, or every document (of one workspace or all)."""
    return documents_stale(workspace=workspace) if only_stale else _in_workspace(workspace)


def _in_workspace(workspace: Workspace | None) -> QuerySet[Document]:
    return Document.objects.all() if workspace is None else Document.objects.filter(workspace=workspace)


def documents_stuck(*, workspace: Workspace | None = None, now=None) -> QuerySet[Document]:
    """Documents whose indexing was lost: claimed by a worker longer than DOCUMENT_STUCK_SECONDS
    ago (it died), or pending or processing that long with no request to index them. Documents
    waiting their turn in a long queue are not stuck."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.DOCUMENT_STUCK_SECONDS)
    unsettled = [DocumentStatus.PENDING, DocumentStatus.PROCESSING]
    claimed_long_ago = IndexRequest.objects.filter(claimed_at__lt=cutoff).values("document_id")
    requested = IndexRequest.objects.filter(document_id=OuterRef("pk"))
    return _in_workspace(workspace).filter(
        Q(pk__in=claimed_long_ago) | Q(status__in=unsettled, updated_at__lt=cutoff) & ~Exists(requested)
    )


def stats_for(*, workspace: Workspace | None) -> dict:
    """Counts of workspaces, documents by status and by model, and chunks (all, or one workspace)."""
    documents = _in_workspace(workspace)
    chunks = Chunk.objects.all() if workspace is None else Chunk.objects.filter(workspace=workspace)
    workspaces = Workspace.objects.all() if workspace is None else Workspace.objects.filter(pk=workspace.pk)
    by_status = documents.aggregate(
        total=Count("id"),
        **{status: Count("id", filter=Q(status=status)) for status in DocumentStatus.values},
    )
    by_model = dict(
        documents.exclude(embedding_model="").values_list("embedding_model").annotate(n=Count("id")).order_by()
    )
    return {
        "workspace_id": workspace.pk if workspace else None,
        "workspaces": workspaces.aggregate(
            total=Count("id"), archived=Count("id", filter=Q(archived_at__isnull=False))
        ),
        "documents": by_status,
        "chunks": chunks.count(),
        "documents_by_embedding_model": by_model,
        "documents_awaiting_reindex": documents_awaiting_reindex(workspace=workspace).count(),
        "documents_stuck": documents_stuck(workspace=workspace).count(),
    }


def documents_picked(*, workspace: Workspace, ids: Iterable[str]) -> QuerySet[Document]:
    """The workspace's completed documents among `ids` (any text: what is not a document id is skipped)."""
    valid = [text for text in ids if is_document_id(text)]
    return Document.objects.filter(workspace=workspace, status=DocumentStatus.COMPLETED, pk__in=valid)


def documents_matching(*, workspace: Workspace, text: str) -> QuerySet[Document]:
    """The workspace's completed documents whose title or path holds `text`, for pickers."""
    found = Document.objects.filter(workspace=workspace, status=DocumentStatus.COMPLETED)
    if text.strip():
        found = found.filter(Q(title__icontains=text.strip()) | Q(source_uri__icontains=text.strip()))
    return found.order_by("title", "pk")


def is_document_id(text: str) -> bool:
    """Whether `text` could be a document's id (a UUID), so a lookup by it cannot fail."""
    try:
        uuid.UUID(str(text))
    except ValueError:
        return False
    return True
