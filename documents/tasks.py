from celery import shared_task

from documents import services
from documents.selectors import documents_for_reindex
from providers.errors import RetryableProviderError
from workspaces.models import Workspace

RETRY_POLICY = {
    "autoretry_for": (RetryableProviderError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="documents.index_documents", **RETRY_POLICY)
def index_documents(document_ids: list[str]) -> dict:
    return services.documents_index(document_ids=document_ids)


@shared_task(name="documents.reindex_workspace", **RETRY_POLICY)
def reindex_workspace(workspace_id: str, only_stale: bool = False) -> dict:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {"completed": 0, "failed": 0}
    documents = documents_for_reindex(workspace=workspace, only_stale=only_stale)
    return services.documents_index(document_ids=list(documents.order_by("pk").values_list("pk", flat=True)))


@shared_task(name="documents.requeue_stuck_documents")
def requeue_stuck_documents() -> int:
    return len(services.documents_requeue_stuck())
