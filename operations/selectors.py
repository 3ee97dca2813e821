"""Reads for the operator overview: counts (one aggregate query per group), the chat-log list's
light rows, a chat log's retrieved passages and stage timings, and recent activity.

Everything goes through the selectors the API uses, so a page shows what the endpoints show.
"""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from audit.models import AuditLog
from audit.selectors import audit_log_list
from chat.guards import refusal_reason_label
from chat.models import ChatLog, Rating
from chat.selectors import chat_log_list
from documents.models import Chunk
from documents.selectors import stats_for
from exports.models import ExportJob
from exports.selectors import export_job_list
from workspaces.models import Workspace

# What a row of the chat-log list shows: answers, citations and passages stay in the database.
CHAT_LOG_ROW_FIELDS = (
    "id",
    "created_at",
    "question",
    "refused",
    "refusal_reason",
    "error_code",
    "rating",
    "request_id",
    "latency_ms",
)
# The stages of an answer in the order they run (chat.services' clock); `total` comes last.
STAGE_ORDER = ("rewrite", "retrieval", "generation")
RECENT = 5


@dataclass(frozen=True)
class ChatLogCounts:
    total: int
    answered: int
    refused: int
    failed: int
    rated_up: int
    rated_down: int
    unrated: int
    refusals_by_reason: list[tuple[str, str, int]]  # (reason code, plain words, count), most first


@dataclass(frozen=True)
class SiteCounts:
    workspaces_active: int
    workspaces_archived: int
    documents: int
    chunks: int


@dataclass(frozen=True)
class RetrievedPassage:
    rank: int
    chunk_id: int
    chunk: Chunk | None  # None when the chunk was deleted (or reindexed) since the answer
    cited_as: int | None  # the answer's [n] for this passage, when it cited it


@dataclass(frozen=True)
class Citation:
    n: int
    title: str  # as the answer cited it
    heading_path: list[str]
    chunk: Chunk | None  # None when the chunk is gone


@dataclass(frozen=True)
class StageLatency:
    stage: str
    ms: float


@dataclass(frozen=True)
class RecentActivity:
    chat_logs: list[ChatLog]
    audit_logs: list[AuditLog]
    export_jobs: list[ExportJob]


def chat_log_counts(*, workspace: Workspace) -> ChatLogCounts:
    """Outcomes and feedback in one aggregate, refusals by reason in one grouped count.
    Answered, refused and failed split the logs: refused as the `refused` filter has it, and of
    the rest, a failure is a log with an error code."""
    logs = ChatLog.objects.filter(workspace=workspace)
    errored = ~Q(error_code="")
    # Aliased: an aggregate may not take the name of a field (refused, rating).
    counts = logs.aggregate(
        n_total=Count("id"),
        n_answered=Count("id", filter=Q(refused=False) & ~errored),
        n_refused=Count("id", filter=Q(refused=True)),
        n_failed=Count("id", filter=Q(refused=False) & errored),
        n_rated_up=Count("id", filter=Q(rating=Rating.UP)),
        n_rated_down=Count("id", filter=Q(rating=Rating.DOWN)),
        n_unrated=Count("id", filter=Q(rating="")),
    )
    by_reason = (
        logs.filter(refused=True).values_list("refusal_reason").annotate(n=Count("id")).order_by("-n", "refusal_reason")
    )
    return ChatLogCounts(
        **{name.removeprefix("n_"): value for name, value in counts.items()},
        refusals_by_reason=[(reason, refusal_reason_label(reason), n) for reason, n in by_reason],
    )


def site_counts() -> SiteCounts:
    """Every workspace's counts, as /stats gives them to a caller not limited to some workspaces."""
    stats = stats_for(workspace=None)
    workspaces = stats["workspaces"]
    return SiteCounts(
        workspaces_active=workspaces["total"] - workspaces["archived"],
        workspaces_archived=workspaces["archived"],
        documents=stats["documents"]["total"],
        chunks=stats["chunks"],
    )


def chat_log_rows(*, workspace: Workspace, filters: dict) -> QuerySet[ChatLog]:
    """`chat_log_list` with only what a list row shows, for a paginator to count and slice."""
    return chat_log_list(workspace=workspace, filters=filters).only(*CHAT_LOG_ROW_FIELDS)


def retrieved_passages(*, log: ChatLog) -> list[RetrievedPassage]:
    """The chunks the answer was given, in retrieval order, with their documents (one query).
    Chunks are looked up in the log's own workspace only."""
    chunk_ids = [chunk_id for chunk_id in log.retrieved_chunk_ids if isinstance(chunk_id, int)]
    chunks = Chunk.objects.filter(workspace_id=log.workspace_id, pk__in=chunk_ids).select_related("document")
    by_id = {chunk.pk: chunk for chunk in chunks.only("id", "heading_path", "text", "document", "document__title")}
    cited = {entry.get("chunk_id"): entry.get("n") for entry in log.citations if isinstance(entry, dict)}
    return [
        RetrievedPassage(rank=rank, chunk_id=chunk_id, chunk=by_id.get(chunk_id), cited_as=cited.get(chunk_id))
        for rank, chunk_id in enumerate(chunk_ids, start=1)
    ]


def answer_citations(*, log: ChatLog, passages: list[RetrievedPassage]) -> list[Citation]:
    """The answer's citations, each with its passage's chunk when that still exists (to link its document)."""
    chunks = {passage.chunk_id: passage.chunk for passage in passages}
    return [
        Citation(
            n=entry.get("n"),
            title=str(entry.get("title") or ""),
            heading_path=entry.get("heading_path") if isinstance(entry.get("heading_path"), list) else [],
            chunk=chunks.get(entry.get("chunk_id")),
        )
        for entry in log.citations
        if isinstance(entry, dict)
    ]


def stage_latencies(*, log: ChatLog) -> tuple[list[StageLatency], float]:
    """The timed stages in the order they ran, and the total (the largest value when none was recorded)."""
    timings = {stage: float(ms) for stage, ms in log.latency_ms.items() if isinstance(ms, int | float)}
    total = timings.pop("total", max(timings.values(), default=0.0))
    ordered = sorted(
        timings, key=lambda stage: (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER), stage)
    )
    return [StageLatency(stage=stage, ms=timings[stage]) for stage in ordered], total


def recent_activity(*, workspace: Workspace) -> RecentActivity:
    """The latest few chat logs, audit rows and export jobs: one query each."""
    return RecentActivity(
        chat_logs=list(chat_log_rows(workspace=workspace, filters={})[:RECENT]),
        audit_logs=list(audit_log_list(filters={}, workspace_scope=[workspace.pk])[:RECENT]),
        export_jobs=list(export_job_list(workspace=workspace, filters={})[:RECENT]),
    )


def audit_actions(*, workspace: Workspace) -> list[str]:
    """The actions recorded about this workspace, for the audit list's action filter."""
    rows = audit_log_list(filters={}, workspace_scope=[workspace.pk])
    return list(rows.order_by("action").values_list("action", flat=True).distinct())
