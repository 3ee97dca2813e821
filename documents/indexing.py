"""Indexing: parse, chunk and embed documents, and swap their chunks in; the queue of waiting ones.

Many documents are chunked and embedded together, outside any transaction (the encoder gets
full, length-sorted batches); then their chunks are swapped in with their `completed` status
in one transaction. A document that cannot be chunked, embedded or stored fails alone (the
others of its batch are swapped in without it), and only completed documents are searchable,
so nothing half-indexed is ever visible.

Two ways in. `documents_index` indexes given documents now (`manage.py ingest` and `reindex`).
`documents_request_index` stores an IndexRequest per document and wakes its lane's worker,
which claims waiting requests in batches, taking turns between workspaces
(`documents_index_pending`): one workspace's bulk load cannot hold up another's upload.
"""

import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from time import monotonic

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.services import audit_log_record
from core.metrics import record_chunks_ingested
from core.queue import send, send_once, sent_task_started
from documents.markdown import ChunkDraft, chunk_markdown, parse_document
from documents.models import Chunk, Document, DocumentStatus, IndexLane, IndexRequest
from documents.rules import DocumentRejected
from documents.selectors import documents_for_reindex, documents_stuck
from documents.sentences import chunks_await_sentences, chunks_awaiting_sentences, chunks_embed_sentences
from providers.embeddings import get_embedder
from providers.errors import ProviderError
from workspaces.models import Workspace

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
# Documents read and embedded together by `documents_index`.
INDEX_BATCH_DOCUMENTS = 200
# Bytes of Markdown per token, to estimate a waiting document's chunks before it is chunked.
BYTES_PER_TOKEN = 4


class IndexRetryLater(Exception):
    """Embedding failed in a way worth trying again; the claimed documents wait `seconds`."""

    def __init__(self, seconds: float):
        super().__init__(f"indexing is tried again in {seconds:.0f} s")
        self.seconds = seconds


@dataclass(frozen=True)
class _Work:
    document: Document
    request_version: int | None  # the IndexRequest this indexing answers, if any


# --- Indexing now ----------------------------------------------------------------------------


def documents_index(*, document_ids, progress: Progress | None = None) -> dict[str, int]:
    """Index documents now, INDEX_BATCH_DOCUMENTS at a time, reusing the vectors of unchanged chunks.

    Safe to run twice: the second run finds every vector already stored. Deleted documents are
    skipped. An embedding failure of the provider as a whole marks the batch's documents failed
    (completed ones keep serving their old chunks) and is raised. `progress` is called with the
    number of chunks embedded.
    """
    ids = list(document_ids)
    totals = Counter(completed=0, failed=0)
    for start in range(0, len(ids), INDEX_BATCH_DOCUMENTS):
        batch = ids[start : start + INDEX_BATCH_DOCUMENTS]
        _mark_processing(batch)
        versions = dict(IndexRequest.objects.filter(document_id__in=batch).values_list("document_id", "version"))
        works = _read(batch, versions)
        try:
            totals.update(_index(works, progress))
        except Exception as exc:
            _fail_unfinished([work.document.pk for work in works], str(exc))
            raise
    return dict(totals)


def _read(ids: list, versions: dict) -> list[_Work]:
    documents = Document.objects.select_related("workspace").filter(pk__in=ids).order_by("pk")
    return [_Work(document, versions.get(document.pk)) for document in documents]


def _mark_processing(ids: list) -> None:
    # A completed document stays completed, and searchable with its old chunks, until its swap:
    # reindexing after a model change needs no downtime.
    Document.objects.filter(pk__in=ids).exclude(status=DocumentStatus.COMPLETED).update(
        status=DocumentStatus.PROCESSING, error=""
    )


def _index(works: list[_Work], progress: Progress | None) -> Counter:
    """Chunk and embed every document together, then commit each one alone."""
    embedder = get_embedder()
    drafts: dict = {}
    outcome = Counter(completed=0, failed=0)
    for work in works:
        try:
            drafts[work.document.pk] = _chunk(work.document, embedder)
        except DocumentRejected as exc:
            outcome["failed"] += _fail(work, str(exc))
    embeddable = [work for work in works if work.document.pk in drafts]
    vectors, failures = _embed(embeddable, drafts, embedder, progress)
    for work in embeddable:
        if work.document.pk in failures:
            outcome["failed"] += _fail(work, failures[work.document.pk])
    ready = [work for work in embeddable if work.document.pk not in failures]
    try:
        outcome["completed"] += _swap(ready, drafts, vectors, embedder)
    except DatabaseError as exc:
        # Something in the batch would not go in: each document alone, so that one fails alone.
        logger.warning("swapping in %d documents together failed (%s); one at a time", len(ready), exc)
        for work in ready:
            try:
                outcome["completed"] += _swap([work], drafts, vectors, embedder)
            except DatabaseError as alone:
                outcome["failed"] += _fail(work, f"the chunks could not be stored: {alone}")
    return outcome


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


def _embed(works: list[_Work], drafts: dict, embedder, progress: Progress | None) -> tuple[dict, dict]:
    """(vectors by chunk hash, error by document id). A provider failure that trying again may
    mend is raised for the whole batch; any other is narrowed down to the documents it is about,
    by embedding them one at a time."""
    try:
        return _embed_missing(works, drafts, embedder, progress), {}
    except ProviderError as exc:
        if exc.retryable:
            raise
        if len(works) == 1:
            return {}, {works[0].document.pk: str(exc)[:2000]}
    vectors, failures = {}, {}
    for work in works:
        try:
            vectors.update(_embed_missing([work], drafts, embedder, progress))
        except ProviderError as exc:
            if exc.retryable:
                raise
            failures[work.document.pk] = str(exc)[:2000]
    return vectors, failures


def _embed_missing(works: list[_Work], drafts: dict, embedder, progress: Progress | None) -> dict[str, list[float]]:
    """Vectors by chunk hash: stored ones of the same model reused, the rest embedded."""
    ids = [work.document.pk for work in works]
    hashes = {draft.content_hash for pk in ids for draft in drafts[pk]}
    vectors = {
        digest: list(vector)
        for digest, vector in Chunk.objects.filter(
            document_id__in=ids,
            content_hash__in=hashes,
            document__embedding_model=embedder.model_name,
            embedding__isnull=False,
        ).values_list("content_hash", "embedding")
    }
    missing = {}
    for pk in ids:
        for draft in drafts[pk]:
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


def _swap(works: list[_Work], drafts: dict, vectors: dict, embedder) -> int:
    """Put the documents' new chunks in place of their old ones, in one transaction (one commit
    for the batch: committing each document alone took a third of the indexing time). Documents
    gone, or changed since they were read (their newer request indexes them), are left out.
    Returns how many were swapped in."""
    if not works:
        return 0
    read = {work.document.pk: work for work in works}
    with transaction.atomic():
        # What is redone anyway if lost (its request is committed with it): no wait for the disk.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        for workspace_id in sorted({work.document.workspace_id for work in works}):
            _lock_workspace_statistics(workspace_id)
        # Rows locked in primary-key order, so concurrent indexing cannot deadlock.
        current = Document.objects.select_for_update().filter(pk__in=list(read)).order_by("pk")
        live = [
            pk for pk, digest in current.values_list("pk", "content_hash") if digest == read[pk].document.content_hash
        ]
        Chunk.objects.filter(document_id__in=live).delete()
        stored = Chunk.objects.bulk_create(
            [
                Chunk(
                    document_id=pk,
                    workspace_id=read[pk].document.workspace_id,
                    ordinal=draft.ordinal,
                    heading_path=draft.heading_path,
                    text=draft.text,
                    token_count=draft.token_count,
                    content_hash=draft.content_hash,
                    embedding=vectors[draft.content_hash],
                )
                for pk in live
                for draft in drafts[pk]
            ],
            batch_size=1000,
        )
        _update_search_vectors(live)
        chunks_await_sentences([chunk.pk for chunk in stored])
        Document.objects.filter(pk__in=live).update(
            status=DocumentStatus.COMPLETED,
            error="",
            embedding_model=embedder.model_name,
            embedding_dimension=embedder.dimension,
            indexed_at=timezone.now(),
        )
        _answer([read[pk] for pk in live])
    record_chunks_ingested(sum(len(drafts[pk]) for pk in live))
    return len(live)


def _fail(work: _Work, reason: str) -> int:
    """A document that cannot be indexed keeps no chunks: nothing of it can be searched."""
    with transaction.atomic():
        _lock_workspace_statistics(work.document.workspace_id)
        Chunk.objects.filter(document_id=work.document.pk).delete()
        failed = Document.objects.filter(pk=work.document.pk, content_hash=work.document.content_hash).update(
            status=DocumentStatus.FAILED, error=reason[:2000]
        )
        _answer([work])
    return failed


def _fail_unfinished(ids: list, reason: str) -> None:
    # Completed documents keep serving their old chunks (and stay stale, so a retry picks them up).
    Document.objects.filter(pk__in=ids).exclude(status=DocumentStatus.COMPLETED).update(
        status=DocumentStatus.FAILED, error=reason[:2000]
    )


def _answer(works: list[_Work]) -> None:
    # A request made after a document was read has a higher version: it stays, and waits.
    answered = [(work.document.pk, work.request_version) for work in works if work.request_version is not None]
    if answered:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                DELETE FROM documents_indexrequest AS r
                 USING unnest(%s::uuid[], %s::integer[]) AS a(document_id, version)
                 WHERE r.document_id = a.document_id AND r.version = a.version
                """,
                [[pk for pk, _ in answered], [version for _, version in answered]],
            )


def _lock_workspace_statistics(workspace_id) -> None:
    """One writer at a time per workspace: the BM25 statistics triggers of a delete and an insert
    would otherwise lock the same rows in two orders in two transactions, and deadlock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"index:{workspace_id}"])


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


# --- The queue of waiting documents ----------------------------------------------------------


def documents_request_index(*, document_ids: Iterable, actor: str = "", lane: str | None = None) -> int:
    """Have a worker index documents once the transaction commits; completed ones stay searchable
    with their old chunks until the new ones are swapped in. Up to INDEX_INTERACTIVE_MAX_DOCUMENTS
    documents take the interactive lane, more the bulk one. An operator's request (`actor`) is audited."""
    ids = [str(pk) for pk in document_ids]
    if not ids:
        return 0
    if lane is None:
        lane = IndexLane.INTERACTIVE if len(ids) <= settings.INDEX_INTERACTIVE_MAX_DOCUMENTS else IndexLane.BULK
    _store_requests(ids, lane)
    wake_lane(lane)
    if actor:
        workspace_ids = Document.objects.filter(pk__in=ids).values_list("workspace_id", flat=True).distinct()
        audit_log_record(
            action="document.reindex", actor=actor, workspace_ids=list(workspace_ids), metadata={"documents": len(ids)}
        )
    return len(ids)


def _store_requests(ids: list[str], lane: str) -> None:
    # A document already waiting, or being indexed, is asked again: a newer version, unclaimed.
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 10_000):
            cursor.execute(
                """
                INSERT INTO documents_indexrequest
                       (document_id, workspace_id, lane, version, requested_at, not_before, claimed_at, claimed_by,
                        attempts)
                SELECT d.id, d.workspace_id, %(lane)s, 1, now(), now(), NULL, '', 0
                  FROM documents_document AS d
                 WHERE d.id = ANY(%(ids)s::uuid[])
                 ORDER BY d.id
                    ON CONFLICT (document_id) DO UPDATE
                   SET version = documents_indexrequest.version + 1, lane = EXCLUDED.lane,
                       requested_at = EXCLUDED.requested_at, not_before = EXCLUDED.not_before,
                       claimed_at = NULL, claimed_by = '', attempts = 0
                """,
                {"ids": ids[start : start + 10_000], "lane": lane},
            )


def wake_lane(lane: str, *, always: bool = False) -> None:
    """Once the transaction commits, send the lane's worker a task to take what waits there.

    Uploads one by one would send one task each, most of which would find nothing left: a
    task is not sent while another is queued and has not started yet (a cache key its worker
    deletes before it claims anything, so whatever was committed before that is claimed by it).
    The sweep and a task handing over send `always`, in case a task message was lost.
    """
    transaction.on_commit(lambda: _wake(lane, always))


def _wake(lane: str, always: bool) -> None:
    queue = settings.TASK_QUEUES[lane]
    if always:
        send("documents.index_pending", lane, queue=queue)
    else:
        send_once("documents.index_pending", lane, queue=queue, key=_wake_key(lane), timeout=WAKE_KEY_SECONDS)


def _wake_key(lane: str) -> str:
    return f"index-wake:{settings.TASK_QUEUES[lane]}"


# How long a queued task's key may stand before one is sent regardless (a lost message).
WAKE_KEY_SECONDS = 300


def documents_index_pending(*, lane: str, claimant: str) -> dict[str, int]:
    """Index what waits in `lane`, a claimed batch at a time, then embed the sentences of indexed
    chunks (documents.sentences), for up to INDEX_TASK_SECONDS; then a new task goes on, so a
    worker restart loses little. `claimant` names the task: a task
    delivered again after its worker died takes back what it had claimed."""
    deadline = monotonic() + settings.INDEX_TASK_SECONDS
    sent_task_started(_wake_key(lane))  # what is committed from here on is claimed by this task or woken anew
    if claimant:
        IndexRequest.objects.filter(claimed_by=claimant).update(claimed_at=None, claimed_by="")
    totals = Counter(completed=0, failed=0)
    while True:
        if claimed := _claim(lane, claimant):
            works = _read(list(claimed), claimed)
            try:
                totals.update(_index(works, progress=None))
            except Exception as exc:
                _back_off(list(claimed), claimant, exc)
        # With no document waiting, the sentences of indexed chunks, a small batch at a time.
        elif not chunks_embed_sentences():
            break
        if monotonic() >= deadline:
            wake_lane(lane, always=True)
            break
    return dict(totals)


def _claim(lane: str, claimant: str) -> dict:
    """Claim the next batch of `lane`: workspaces take turns (each one's oldest request first),
    up to about INDEX_BATCH_CHUNKS chunks and INDEX_BATCH_DOCUMENTS documents. {id: version}."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT picked.document_id, octet_length(d.content)
              FROM (SELECT DISTINCT workspace_id FROM documents_indexrequest
                     WHERE lane = %(lane)s AND claimed_at IS NULL) AS ws
             CROSS JOIN LATERAL (
                   SELECT r.document_id, r.requested_at,
                          row_number() OVER (ORDER BY r.requested_at, r.document_id) AS turn
                     FROM documents_indexrequest AS r
                    WHERE r.workspace_id = ws.workspace_id AND r.lane = %(lane)s
                      AND r.claimed_at IS NULL AND r.not_before <= now()
                    ORDER BY r.requested_at, r.document_id
                    LIMIT %(limit)s) AS picked
              JOIN documents_document AS d ON d.id = picked.document_id
             ORDER BY picked.turn, picked.requested_at, picked.document_id
             LIMIT %(limit)s
            """,
            {"lane": lane, "limit": INDEX_BATCH_DOCUMENTS},
        )
        waiting = cursor.fetchall()
        batch, chunks = [], 0
        for document_id, size in waiting:
            estimate = max(1, math.ceil(size / (settings.CHUNK_MAX_TOKENS * BYTES_PER_TOKEN)))
            if batch and chunks + estimate > settings.INDEX_BATCH_CHUNKS:
                break
            batch.append(document_id)
            chunks += estimate
        if not batch:
            return {}
        # Another worker of the lane may have claimed some of them in the meantime.
        cursor.execute(
            """
            UPDATE documents_indexrequest SET claimed_at = now(), claimed_by = %(claimant)s
             WHERE document_id = ANY(%(ids)s) AND claimed_at IS NULL
            RETURNING document_id, version
            """,
            {"ids": batch, "claimant": claimant},
        )
        claimed = dict(cursor.fetchall())
    _mark_processing(list(claimed))
    return claimed


def _back_off(ids: list, claimant: str, exc: Exception) -> None:
    """The batch could not be indexed (the provider failed, or worse): each document waits longer
    after each try, and fails for good after INDEX_MAX_ATTEMPTS; raises IndexRetryLater while
    any is left to try."""
    logger.warning("indexing %d document(s) failed: %s", len(ids), exc)
    with transaction.atomic():
        requests = list(IndexRequest.objects.select_for_update().filter(document_id__in=ids, claimed_by=claimant))
        exhausted = [request for request in requests if request.attempts + 1 >= settings.INDEX_MAX_ATTEMPTS]
        _fail_unfinished([request.document_id for request in exhausted], str(exc))
        IndexRequest.objects.filter(pk__in=[request.pk for request in exhausted]).delete()
        waiting = [request for request in requests if request not in exhausted]
        delay = 0.0
        for request in waiting:
            request.attempts += 1
            delay = max(delay, min(2.0 ** (request.attempts - 1), 60.0))
            request.not_before = timezone.now() + timedelta(seconds=delay)
            request.claimed_at, request.claimed_by = None, ""
        IndexRequest.objects.bulk_update(waiting, ["attempts", "not_before", "claimed_at", "claimed_by"])
        Document.objects.filter(pk__in=[request.document_id for request in waiting]).filter(
            status=DocumentStatus.PROCESSING
        ).update(status=DocumentStatus.PENDING)
    if waiting:
        raise IndexRetryLater(delay) from exc


def documents_requeue_stuck(*, now=None) -> list[str]:
    """Wake the lanes again and free the documents whose work was lost: claims older than
    DOCUMENT_STUCK_SECONDS (their worker died) are released, and pending documents with no
    request (the broker was down when they were uploaded, by an older version) get one.
    Indexing is idempotent, so a document whose worker was only slow is merely indexed twice."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = [
            str(pk)
            for pk in documents_stuck(now=now)
            .select_for_update(skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        ]
        IndexRequest.objects.filter(document_id__in=ids).update(claimed_at=None, claimed_by="")
        unrequested = set(ids) - {
            str(pk) for pk in IndexRequest.objects.filter(document_id__in=ids).values_list("pk", flat=True)
        }
        # Their clock starts again: the next sweep leaves them to this one.
        Document.objects.filter(pk__in=ids).update(updated_at=now)
        _store_requests(sorted(unrequested), IndexLane.BULK)
        lanes = set(IndexRequest.objects.filter(claimed_at__isnull=True).values_list("lane", flat=True).distinct())
        if chunks_awaiting_sentences():
            lanes.add(IndexLane.BULK)
        for lane in sorted(lanes):
            wake_lane(lane, always=True)
    if ids:
        logger.warning("freed %d stuck document(s) for indexing", len(ids))
    return ids


def workspace_request_reindex(*, workspace: Workspace, only_stale: bool = False) -> int:
    """Have the bulk lane index the workspace again (only its stale documents, or all of them)
    once the transaction commits; returns how many documents that covers."""
    ids = documents_for_reindex(workspace=workspace, only_stale=only_stale).order_by("pk").values_list("pk", flat=True)
    return documents_request_index(document_ids=ids, lane=IndexLane.BULK)
