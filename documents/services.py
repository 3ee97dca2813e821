"""Writes for documents: upload (store, then index), index, delete.

Indexing is all-or-nothing for readers: chunks are computed and embedded
outside any transaction, then swapped in together with the `completed`
status in one transaction. A failure marks the document `failed`, and only
`completed` documents are searchable, so no half-indexed state is visible.

Four ways in: `documents_upload` stores documents and has them indexed;
`documents_index` indexes now; `documents_request_index` and
`workspace_request_reindex` hand the work to a worker once the transaction commits.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_log_record
from core.queue import enqueue_on_commit
from documents.markdown import ChunkDraft, chunk_markdown, content_hash, parse_document
from documents.models import Chunk, Document, DocumentStatus
from documents.rules import ALLOWED_SUFFIXES, DocumentRejected, check_content
from documents.selectors import documents_for_reindex, documents_stuck
from providers.embeddings import get_embedder
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
# Documents stored and indexed per step: the encoder gets full, length-sorted batches, and a
# large upload commits and reports progress as it goes.
INDEX_BATCH_DOCUMENTS = 200


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


def documents_index(*, document_ids, progress: Progress | None = None) -> dict[str, int]:
    """Index documents now: parse, chunk and embed, reusing the vectors of unchanged chunks.

    INDEX_BATCH_DOCUMENTS documents at a time, whose new chunk texts are embedded
    together, so the encoder sees full, length-sorted batches. Safe to run twice
    (a redelivered task): the second run finds every vector already stored.
    Deleted documents are skipped. A document that cannot be chunked fails
    alone; an embedding error fails its batch (and is raised, so a task can
    retry it). `progress` is called with the number of chunks embedded after each batch.
    """
    ids = list(document_ids)
    totals = {"completed": 0, "failed": 0}
    for start in range(0, len(ids), INDEX_BATCH_DOCUMENTS):
        outcome = _index_batch(ids[start : start + INDEX_BATCH_DOCUMENTS], progress)
        totals = {key: totals[key] + outcome[key] for key in totals}
    return totals


def _index_batch(ids: list, progress: Progress | None) -> dict[str, int]:
    # A completed document stays completed, and searchable with its old chunks,
    # until the swap below: reindexing after a model change needs no downtime.
    Document.objects.filter(pk__in=ids).exclude(status=DocumentStatus.COMPLETED).update(
        status=DocumentStatus.PROCESSING, error=""
    )
    documents = list(Document.objects.select_related("workspace").filter(pk__in=ids).order_by("pk"))
    embedder = get_embedder()
    drafts: dict = {}
    failures: dict = {}
    for document in documents:
        try:
            drafts[document.pk] = _chunk(document, embedder)
        except DocumentRejected as exc:
            failures[document.pk] = str(exc)
    try:
        vectors = _embed_missing(documents, drafts, embedder, progress)
    except Exception as exc:
        # Completed documents keep serving their old chunks (and stay stale, so a retry picks them up).
        Document.objects.filter(pk__in=list(drafts)).exclude(status=DocumentStatus.COMPLETED).update(
            status=DocumentStatus.FAILED, error=str(exc)[:2000]
        )
        raise
    with transaction.atomic():
        # Rows locked in primary-key order, so concurrent indexing calls cannot deadlock.
        live = set(
            Document.objects.select_for_update().filter(pk__in=list(drafts)).order_by("pk").values_list("pk", flat=True)
        )
        Chunk.objects.filter(document_id__in=live).delete()
        by_id = {document.pk: document for document in documents}
        Chunk.objects.bulk_create(
            [
                Chunk(
                    document_id=document_id,
                    workspace_id=by_id[document_id].workspace_id,
                    ordinal=draft.ordinal,
                    heading_path=draft.heading_path,
                    text=draft.text,
                    token_count=draft.token_count,
                    content_hash=draft.content_hash,
                    embedding=vectors[draft.content_hash],
                )
                for document_id in sorted(live)
                for draft in drafts[document_id]
            ],
            batch_size=1000,
        )
        _update_search_vectors(list(live))
        Document.objects.filter(pk__in=live).update(
            status=DocumentStatus.COMPLETED,
            error="",
            embedding_model=embedder.model_name,
            embedding_dimension=embedder.dimension,
            indexed_at=timezone.now(),
        )
        for document_id, reason in failures.items():
            # A failed document keeps no chunks: nothing of it can be searched.
            Chunk.objects.filter(document_id=document_id).delete()
            Document.objects.filter(pk=document_id).update(status=DocumentStatus.FAILED, error=reason)
    return {"completed": len(live), "failed": len(failures)}


def _chunk(document: Document, embedder) -> list[ChunkDraft]:
    parsed = parse_document(document.content, fallback_title=document.title)
    drafts = chunk_markdown(
        parsed.body,
        count_tokens=embedder.count_tokens,
        max_tokens=settings.CHUNK_MAX_TOKENS,
        overlap_tokens=settings.CHUNK_OVERLAP_TOKENS,
        title=document.title,
    )
    if not drafts:
        raise DocumentRejected("the document has no text to index")
    return drafts


def _embed_missing(documents, drafts: dict, embedder, progress: Progress | None) -> dict[str, list[float]]:
    """Vectors by chunk hash: stored ones of the same model reused, the rest embedded."""
    hashes = {draft.content_hash for chunk_drafts in drafts.values() for draft in chunk_drafts}
    vectors = {
        digest: list(vector)
        for digest, vector in Chunk.objects.filter(
            document_id__in=list(drafts),
            content_hash__in=hashes,
            document__embedding_model=embedder.model_name,
            embedding__isnull=False,
        ).values_list("content_hash", "embedding")
    }
    missing = {}
    for chunk_drafts in drafts.values():
        for draft in chunk_drafts:
            if draft.content_hash not in vectors:
                missing.setdefault(draft.content_hash, draft.embedding_text)
    digests, texts = list(missing), list(missing.values())
    step = max(settings.EMBEDDING_BATCH_SIZE, 1024)  # large calls: the encoder sorts each by length
    for start in range(0, len(texts), step):
        batch = texts[start : start + step]
        for digest, vector in zip(digests[start : start + step], embedder.embed_documents(batch), strict=True):
            vectors[digest] = vector
        if progress:
            progress(len(batch))
    return vectors


def _update_search_vectors(document_ids: list) -> None:
    """Full-text vector and BM25 term frequencies of a document's chunks, in one statement.

    Title and headings are weight A, body text weight B; an A occurrence counts
    KEYWORD_HEADING_WEIGHT times in the term frequencies, so headings rank above body text.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH vectors AS MATERIALIZED (  -- to_tsvector once per chunk, whatever the plan
                SELECT c.id,
                       setweight(to_tsvector(w.search_language::regconfig, d.title || ' ' || coalesce(
                           (SELECT string_agg(h, ' ') FROM jsonb_array_elements_text(c.heading_path) AS h), '')), 'A')
                       || setweight(to_tsvector(w.search_language::regconfig, c.text), 'B') AS vector
                  FROM documents_chunk AS c
                  JOIN documents_document AS d ON d.id = c.document_id
                  JOIN workspaces_workspace AS w ON w.id = d.workspace_id
                 WHERE c.document_id = ANY(%(document_ids)s)
            )
            UPDATE documents_chunk AS c
               SET search_vector = v.vector,
                   term_freqs = coalesce(stats.freqs, '{}'::jsonb),
                   term_count = coalesce(stats.length, 0)
              FROM vectors AS v
             CROSS JOIN LATERAL (
                   SELECT jsonb_object_agg(per_lexeme.lexeme, per_lexeme.tf) AS freqs, sum(per_lexeme.tf) AS length
                     FROM (SELECT u.lexeme, sum(CASE w WHEN 'A' THEN %(heading_weight)s ELSE 1 END) AS tf
                             FROM unnest(v.vector) AS u(lexeme, positions, weights)
                            CROSS JOIN LATERAL unnest(u.weights) AS w
                            GROUP BY u.lexeme) AS per_lexeme
                   ) AS stats
             WHERE c.id = v.id
            """,
            {"document_ids": document_ids, "heading_weight": settings.KEYWORD_HEADING_WEIGHT},
        )


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


def documents_request_index(*, document_ids, actor: str = "") -> int:
    """Have a worker index documents once the transaction commits; completed ones stay
    searchable with their old chunks until the new ones are swapped in. An operator's
    request (`actor` given) is audited."""
    ids = [str(pk) for pk in document_ids]
    if ids:
        enqueue_on_commit("documents.index_documents", ids)
        if actor:
            workspace_ids = Document.objects.filter(pk__in=ids).values_list("workspace_id", flat=True).distinct()
            audit_log_record(
                action="document.reindex",
                actor=actor,
                workspace_ids=list(workspace_ids),
                metadata={"documents": len(ids)},
            )
    return len(ids)


def documents_requeue_stuck(*, now=None) -> list[str]:
    """Queue again the documents whose task was lost (pending or processing past
    DOCUMENT_STUCK_SECONDS): the broker was down when they were uploaded, or a worker died.
    Indexing is idempotent, so a document whose task was only slow is merely indexed twice."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = [
            str(pk)
            for pk in documents_stuck(now=now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ]
        # Their clock starts again: the next sweep leaves them to this task.
        Document.objects.filter(pk__in=ids).update(updated_at=now)
        for start in range(0, len(ids), INDEX_BATCH_DOCUMENTS):
            enqueue_on_commit("documents.index_documents", ids[start : start + INDEX_BATCH_DOCUMENTS])
    if ids:
        logger.warning("queued %d stuck document(s) again", len(ids))
    return ids


def workspace_request_reindex(*, workspace: Workspace, only_stale: bool = False) -> int:
    """Have a worker index the workspace again (only its stale documents, or all of them)
    once the transaction commits; returns how many documents that covers."""
    count = documents_for_reindex(workspace=workspace, only_stale=only_stale).count()
    enqueue_on_commit("documents.reindex_workspace", workspace.pk, only_stale)
    return count
