from celery import shared_task

from documents import services
from retrieval.providers import RetryableProviderError
from workspaces.models import Workspace

RETRY_POLICY = {
    "autoretry_for": (RetryableProviderError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="documents.index_document", **RETRY_POLICY)
def index_document(document_id: str) -> str:
    document = services.document_index(document_id=document_id)
    return document.status if document else "deleted"


@shared_task(name="documents.index_documents", **RETRY_POLICY)
def index_documents(document_ids: list[str]) -> dict:
    return services.documents_index_in_batches(document_ids=document_ids)


@shared_task(name="documents.reindex_workspace", **RETRY_POLICY)
def reindex_workspace(workspace_id: str, only_stale: bool = False) -> dict:
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return {"completed": 0, "failed": 0}
    return services.documents_reindex(workspace=workspace, only_stale=only_stale)
