from dataclasses import dataclass

from documents.models import Chunk, DocumentStatus
from retrieval.pipeline import HEAVY_FIELDS
from workspaces.models import Workspace


@dataclass
class ChunkContext:
    chunk: Chunk
    before: list[Chunk]
    after: list[Chunk]


def chunk_workspace_id(*, chunk_id: int) -> str | None:
    """Which workspace holds a chunk, for callers that name only the chunk (MCP tools). It reads
    nothing of the chunk: the caller must still reach that workspace through
    `workspace_for_principal`, and answer an unreachable one as it answers an unknown id."""
    return Chunk.objects.filter(pk=chunk_id).values_list("workspace_id", flat=True).first()


def chunk_context(*, workspace: Workspace, chunk_id: int, window: int) -> ChunkContext | None:
    """A searchable chunk and up to `window` neighbours on each side, in document order."""
    chunk = (
        Chunk.objects.select_related("document")
        .defer(*HEAVY_FIELDS)
        .filter(pk=chunk_id, workspace=workspace, document__status=DocumentStatus.COMPLETED)
        .first()
    )
    if chunk is None:
        return None
    neighbours = list(
        Chunk.objects.select_related("document")
        .defer(*HEAVY_FIELDS)
        .filter(document_id=chunk.document_id, ordinal__gte=chunk.ordinal - window, ordinal__lte=chunk.ordinal + window)
        .exclude(pk=chunk.pk)
        .order_by("ordinal")
    )
    return ChunkContext(
        chunk=chunk,
        before=[other for other in neighbours if other.ordinal < chunk.ordinal],
        after=[other for other in neighbours if other.ordinal > chunk.ordinal],
    )
