from django.db.models import Count, QuerySet

from documents.models import Document
from workspaces.models import Workspace


def document_list(*, workspace: Workspace, status: str | None = None) -> QuerySet[Document]:
    documents = Document.objects.filter(workspace=workspace).annotate(chunk_count=Count("chunks"))
    if status:
        documents = documents.filter(status=status)
    return documents.defer("content").order_by("-created_at", "id")


def document_get(*, workspace: Workspace, document_id) -> Document | None:
    """A document of this workspace; another workspace's id looks like an unknown one."""
    return Document.objects.filter(workspace=workspace, pk=document_id).annotate(chunk_count=Count("chunks")).first()
