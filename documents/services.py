"""Writes for documents: store, index (parse, chunk, embed), delete.

Indexing is all-or-nothing for readers: chunks are computed and embedded
outside any transaction, then swapped in together with the `completed`
status in one transaction. A failure marks the document `failed`, and only
`completed` documents are searchable, so no half-indexed state is visible.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from documents.markdown import chunk_markdown, content_hash, parse_document
from documents.models import Chunk, Document, DocumentStatus
from retrieval.embeddings import get_embedder
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


class DocumentRejected(ValueError):
    """The content cannot become a document (empty, binary, ...)."""


@dataclass
class UpsertResult:
    document: Document
    needs_indexing: bool


def document_upsert(
    *, workspace: Workspace, content: str, title: str = "", source_uri: str = "", metadata: dict | None = None
) -> UpsertResult:
    """Store a document's content; unchanged content that is already indexed needs no work.

    Re-sending the same `source_uri` updates that document instead of adding another.
    """
    if not content.strip():
        raise DocumentRejected("The document is empty.")
    if "\x00" in content:
        raise DocumentRejected("The document contains binary data.")
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


def document_index(*, document_id, progress: Progress | None = None) -> Document | None:
    """Parse, chunk and embed one document, reusing vectors of unchanged chunks.

    Safe to run twice (a redelivered task): the second run finds every chunk's
    vector already stored and only rewrites the same rows. Returns None when
    the document was deleted meanwhile.
    """
    updated = (
        Document.objects.filter(pk=document_id)
        .exclude(status=DocumentStatus.PROCESSING)
        .update(status=DocumentStatus.PROCESSING, error="")
    )
    document = Document.objects.select_related("workspace").filter(pk=document_id).first()
    if document is None:
        return None
    if not updated:
        logger.info("document already being indexed", extra={"document_id": str(document_id)})
    try:
        _index(document, progress=progress)
    except Exception as exc:
        Document.objects.filter(pk=document_id).update(status=DocumentStatus.FAILED, error=str(exc)[:2000])
        raise
    document.refresh_from_db()
    return document


def _index(document: Document, *, progress: Progress | None) -> None:
    embedder = get_embedder()
    parsed = parse_document(document.content, fallback_title=document.title)
    drafts = chunk_markdown(
        parsed.body,
        count_tokens=embedder.count_tokens,
        max_tokens=settings.CHUNK_MAX_TOKENS,
        overlap_tokens=settings.CHUNK_OVERLAP_TOKENS,
        title=document.title,
    )
    if not drafts:
        raise DocumentRejected("The document has no text to index.")

    # Vectors of chunks whose text did not change are reused, not recomputed.
    known = dict(
        Chunk.objects.filter(document=document, embedding__isnull=False)
        .filter(document__embedding_model=embedder.model_name)
        .values_list("content_hash", "embedding")
    )
    vectors: dict[str, list[float]] = {digest: list(vector) for digest, vector in known.items()}
    missing = [draft for draft in drafts if draft.content_hash not in vectors]
    batch_size = settings.EMBEDDING_BATCH_SIZE
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        for draft, vector in zip(batch, embedder.embed_documents([d.embedding_text for d in batch]), strict=True):
            vectors[draft.content_hash] = vector
        if progress:
            progress(len(batch))

    with transaction.atomic():
        locked = Document.objects.select_for_update().filter(pk=document.pk).first()
        if locked is None:
            return
        Chunk.objects.filter(document=document).delete()
        Chunk.objects.bulk_create(
            [
                Chunk(
                    document=document,
                    workspace_id=document.workspace_id,
                    ordinal=draft.ordinal,
                    heading_path=draft.heading_path,
                    text=draft.text,
                    token_count=draft.token_count,
                    content_hash=draft.content_hash,
                    embedding=vectors[draft.content_hash],
                )
                for draft in drafts
            ],
            batch_size=500,
        )
        _update_search_vectors(document)
        Document.objects.filter(pk=document.pk).update(
            status=DocumentStatus.COMPLETED,
            error="",
            embedding_model=embedder.model_name,
            embedding_dimension=embedder.dimension,
            indexed_at=timezone.now(),
        )


def _update_search_vectors(document: Document) -> None:
    # Title and headings weigh more (A) than body text (B) in keyword search.
    language = document.workspace.search_language
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE documents_chunk AS c
               SET search_vector =
                   setweight(to_tsvector(%s::regconfig, %s || ' ' || coalesce(
                       (SELECT string_agg(h, ' ') FROM jsonb_array_elements_text(c.heading_path) AS h), '')), 'A')
                   || setweight(to_tsvector(%s::regconfig, c.text), 'B')
             WHERE c.document_id = %s
            """,
            [language, document.title, language, document.pk],
        )


@transaction.atomic
def document_delete(*, document: Document) -> None:
    document.delete()


def _title_from_source(source_uri: str) -> str:
    name = source_uri.rstrip("/").rsplit("/", 1)[-1]
    for suffix in (".markdown", ".md", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name.replace("-", " ").replace("_", " ").strip()


def document_enqueue_indexing(*, document: Document) -> None:
    """Index in a worker once the surrounding transaction has committed."""
    from documents.tasks import index_document

    document_id = str(document.pk)
    transaction.on_commit(lambda: index_document.delay(document_id))
