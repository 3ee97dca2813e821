from django.db.models import Count, Q

from documents.models import Chunk, Document, DocumentStatus
from documents.services import documents_needing_reindex
from workspaces.models import Workspace


def stats_for(*, workspace: Workspace | None) -> dict:
    """Counts of workspaces, documents by status, and chunks (all, or one workspace)."""
    documents = Document.objects.all()
    chunks = Chunk.objects.all()
    workspaces = Workspace.objects.all()
    if workspace is not None:
        documents = documents.filter(workspace=workspace)
        chunks = chunks.filter(workspace=workspace)
        workspaces = workspaces.filter(pk=workspace.pk)
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
        # Made with another model, or never completed: what `manage.py reindex --stale` would do.
        "documents_awaiting_reindex": documents_needing_reindex(workspace=workspace, only_stale=True).count(),
    }
