"""Writes for documents: upload (store, then have indexed), edit, delete.

Indexing itself, now or by a worker, is documents.indexing.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from audit.services import audit_log_record
from documents.indexing import INDEX_BATCH_DOCUMENTS, Progress, documents_index, documents_request_index
from documents.markdown import content_hash, parse_document
from documents.models import Document, DocumentStatus
from documents.rules import ALLOWED_SUFFIXES, check_content
from providers.embeddings import get_embedder
from workspaces.models import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentInput:
    """One document to store: its text (already checked, see documents.rules) and where it came from."""

    content: str
    source_uri: str = ""
    title: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass
class UpsertResult:
    document: Document
    needs_indexing: bool


@dataclass
class UploadReport:
    documents: list[Document] = field(default_factory=list)
    unchanged: int = 0
    indexed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason), when indexed now


def documents_upload(
    *,
    workspace: Workspace,
    inputs: Sequence[DocumentInput],
    index_now: bool = False,
    progress: Progress | None = None,
    on_stored: Progress | None = None,
) -> UploadReport:
    """Store documents and have the new or changed ones indexed.

    By default every document is stored in one transaction and a worker indexes
    them once it commits (an upload through the API: all or nothing). With
    `index_now`, documents are stored and indexed here, INDEX_BATCH_DOCUMENTS at
    a time, each batch committed before it is indexed (`manage.py ingest`, the
    eval loader). `on_stored` gets the number of documents stored per batch,
    `progress` the number of chunks embedded.
    """
    report = UploadReport()
    step = INDEX_BATCH_DOCUMENTS if index_now else max(len(inputs), 1)
    for start in range(0, len(inputs), step):
        with transaction.atomic():
            results = [
                document_upsert(
                    workspace=workspace,
                    content=item.content,
                    source_uri=item.source_uri,
                    title=item.title,
                    metadata=item.metadata,
                )
                for item in inputs[start : start + step]
            ]
            pending = [result.document.pk for result in results if result.needs_indexing]
            if not index_now:
                documents_request_index(document_ids=pending)
        report.documents += [result.document for result in results]
        report.unchanged += len(results) - len(pending)
        if on_stored:
            on_stored(len(results))
        if index_now and pending:
            report.indexed += documents_index(document_ids=pending, progress=progress)["completed"]
            report.failed += Document.objects.filter(pk__in=pending, status=DocumentStatus.FAILED).values_list(
                "source_uri", "error"
            )
    return report


def document_upsert(
    *, workspace: Workspace, content: str, title: str = "", source_uri: str = "", metadata: dict | None = None
) -> UpsertResult:
    """Store a document's content; unchanged content that is already indexed needs no work.

    Re-sending the same `source_uri` updates that document instead of adding another.
    """
    check_content(content)
    parsed = parse_document(content, fallback_title=_title_from_source(source_uri))
    merged_metadata = {**parsed.metadata, **(metadata or {})}
    title = (title or parsed.title or "Untitled")[:500]
    digest = content_hash(content)

    with transaction.atomic():
        document = None
        if source_uri:
            document = Document.objects.select_for_update().filter(workspace=workspace, source_uri=source_uri).first()
        if document is None:
            document = Document.objects.create(
                workspace=workspace,
                title=title,
                source_uri=source_uri,
                metadata=merged_metadata,
                content=content,
                content_hash=digest,
            )
            return UpsertResult(document, needs_indexing=True)
        unchanged = (
            document.content_hash == digest
            and document.status == DocumentStatus.COMPLETED
            and document.embedding_model == get_embedder().model_name
        )
        document.title = title
        document.metadata = merged_metadata
        if unchanged:
            document.save(update_fields=["title", "metadata", "updated_at"])
            return UpsertResult(document, needs_indexing=False)
        document.content = content
        document.content_hash = digest
        document.status = DocumentStatus.PENDING
        document.error = ""
        document.save()
        return UpsertResult(document, needs_indexing=True)


@transaction.atomic
def document_delete(*, document: Document) -> None:
    document.delete()


def document_edit(*, document: Document, title: str, content: str, metadata: dict, actor: str) -> Document:
    """An operator's edit (the admin): new content is checked as an upload is and indexed again
    by a worker, keeping the old chunks searchable until then; audited."""
    check_content(content)
    with transaction.atomic():
        changed = content_hash(content) != document.content_hash
        document.title, document.metadata = title[:500], metadata
        if changed:
            document.content, document.content_hash = content, content_hash(content)
        document.save()
        if changed:
            documents_request_index(document_ids=[document.pk])
        audit_log_record(
            action="document.edit",
            actor=actor,
            workspace_ids=[document.workspace_id],
            metadata={"document_id": str(document.pk), "content_changed": changed},
        )
    return document


def _title_from_source(source_uri: str) -> str:
    name = source_uri.rstrip("/").rsplit("/", 1)[-1]
    for suffix in sorted(ALLOWED_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name.replace("-", " ").replace("_", " ").strip()
