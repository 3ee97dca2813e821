from celery import shared_task

from documents import indexing
from workspaces.models import Workspace


@shared_task(name="documents.index_pending", bind=True, max_retries=None)
def index_pending(self, lane: str) -> dict:
    """Index what waits in a lane (documents.indexing); sent to the lane's own queue."""
    try:
        return indexing.documents_index_pending(lane=lane, claimant=self.request.id or "")
    except indexing.IndexRetryLater as later:
        # How many tries a document gets is counted on its request, not here.
        raise self.retry(countdown=later.seconds) from None


@shared_task(name="documents.reindex_workspace")
def reindex_workspace(workspace_id: str, only_stale: bool = False) -> int:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return indexing.workspace_request_reindex(workspace=workspace, only_stale=only_stale)


@shared_task(name="documents.requeue_stuck_documents")
def requeue_stuck_documents() -> int:
    return len(indexing.documents_requeue_stuck())
