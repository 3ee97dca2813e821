from celery import shared_task

from documents import services
from retrieval.providers import RetryableProviderError


@shared_task(
    name="documents.index_document",
    autoretry_for=(RetryableProviderError,),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=5,
)
def index_document(document_id: str) -> str:
    document = services.document_index(document_id=document_id)
    return document.status if document else "deleted"
