"""The MCP server's tools: what an agent may do, each a thin entry point over the REST API's own
serializers, selectors and services, so a tool answers exactly what its endpoint answers.

Each tool takes the principal of its call (authenticated for that call by agents.server) and
reaches a workspace only through `workspace_for_principal`, with the endpoint's role: another
workspace's objects are not found, an archived workspace is read-only. The signatures are the
tools' input schemas and the docstrings their descriptions, as agents read them.
"""

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chat.api import chat_arguments
from chat.serializers import ChatAnswerSerializer, ChatRequestSerializer
from chat.services import chat_answer
from core.errors import NotFound
from core.request_id import current_request_id
from core.roles import Role
from documents.selectors import document_get, document_workspace_id
from documents.serializers import DocumentWithContentSerializer
from retrieval.api import context_response_body, search_response_body
from retrieval.selectors import chunk_workspace_id
from retrieval.serializers import ContextRequestSerializer, SearchRequestSerializer
from workspaces.models import Workspace
from workspaces.principals import Principal
from workspaces.scoping import workspace_for_principal
from workspaces.selectors import workspace_list_for_principal
from workspaces.serializers import WorkspaceSerializer

LARGEST_ID = 2**63 - 1  # chunk ids are PostgreSQL bigints

WorkspaceId = Annotated[
    str, Field(min_length=1, max_length=64, description="The workspace's id, as list_workspaces gives it.")
]


class SearchFilterArguments(BaseModel):
    """Which documents a search may return. Keys other than these match document metadata exactly."""

    model_config = ConfigDict(extra="allow")

    document_ids: list[UUID] | None = Field(None, description="Only these documents.")
    tags: list[str] | None = Field(None, description="Documents whose metadata `tags` holds any of these.")
    evidence_types: list[str] | None = Field(
        None, description="Documents whose metadata `evidence_type` is one of these."
    )


def search_documents(
    *,
    principal: Principal,
    query: Annotated[str, Field(min_length=1, max_length=4000, description="What to look for, in plain words.")],
    workspace_id: WorkspaceId,
    limit: Annotated[int, Field(ge=1, le=100, description="The most results to return.")] = 10,
    mode: Annotated[
        Literal["hybrid", "vector", "keyword"],
        Field(description="hybrid (meaning and words, fused), vector (meaning only) or keyword (BM25 only)."),
    ] = "hybrid",
    filters: Annotated[
        SearchFilterArguments | None, Field(description="Restrict the search to some documents.")
    ] = None,
    group_by_document: Annotated[
        bool, Field(description="Also return `documents`: the results grouped by document, best first.")
    ] = False,
) -> dict[str, Any]:
    """Search one workspace's documents for passages about `query` (hybrid retrieval: vector
    similarity and BM25 keywords, fused, then reranked when a reranker is configured). Returns
    `results`, best first: each a passage (chunk) with `chunk_id`, `document_id`, the document's
    `title` and `metadata`, its `heading_path` and `text`, and `scores` at every stage (vector
    rank and similarity, keyword rank and BM25 score, fused and rerank scores), plus
    `total_results` and the request as read; with `group_by_document`, `documents` too: each
    document among the results with its `score` and its `chunk_ids`. Read a passage's neighbours with
    get_document_context, a whole document with fetch_document. Any role may search."""
    data = _validated(
        SearchRequestSerializer,
        {
            "query": query,
            "workspace_id": workspace_id,
            "limit": limit,
            "mode": mode,
            "filters": filters.model_dump(mode="json", exclude_none=True) if filters else {},
            "group_by_document": group_by_document,
        },
    )
    workspace = workspace_for_principal(principal=principal, workspace_id=workspace_id, required_role=Role.VIEWER)
    return search_response_body(workspace=workspace, data=data)


def get_document_context(
    *,
    principal: Principal,
    chunk_id: Annotated[int, Field(ge=1, le=LARGEST_ID, description="A passage's chunk_id from search_documents.")],
    context_window: Annotated[
        int, Field(ge=0, le=20, description="How many neighbouring passages to add on each side.")
    ] = 1,
) -> dict[str, Any]:
    """Read a passage in its place: the `chunk` (as search_documents shows it) with up to
    `context_window` passages before it (`context_before`) and after it (`context_after`) in
    the same document, in document order. Use it when a search result is cut short or needs
    what surrounds it. Any role may read."""
    data = _validated(ContextRequestSerializer, {"chunk_id": chunk_id, "context_window": context_window})
    workspace = _workspace_holding(principal, chunk_workspace_id(chunk_id=chunk_id), not_found="Chunk not found.")
    return context_response_body(workspace=workspace, data=data)


def fetch_document(
    *,
    principal: Principal,
    document_id: Annotated[UUID, Field(description="A document's id, e.g. a search result's document_id.")],
) -> dict[str, Any]:
    """Read a whole document: its metadata (`title`, `source_uri`, `metadata` such as tags,
    indexing `status`, `chunk_count`, embedding model, timestamps) and its full Markdown
    `content`. Any role may read."""
    workspace_id = document_workspace_id(document_id=document_id)
    workspace = _workspace_holding(principal, workspace_id, not_found="Document not found.")
    document = document_get(workspace=workspace, document_id=document_id)
    if document is None:
        raise NotFound("Document not found.")
    return DocumentWithContentSerializer(document).data


def list_workspaces(*, principal: Principal) -> dict[str, Any]:
    """List the workspaces you may read, by id: `workspaces`, each with its `id` (what the
    other tools take as workspace_id), `name`, `description`, and `is_archived` (an archived
    workspace can be searched and read, not asked)."""
    workspaces = workspace_list_for_principal(principal=principal).order_by("pk")
    return {"workspaces": WorkspaceSerializer(workspaces, many=True).data}


def ask(
    *,
    principal: Principal,
    question: Annotated[str, Field(min_length=1, max_length=4000, description="The question, in plain words.")],
    workspace_id: WorkspaceId,
    session_id: Annotated[
        UUID | None,
        Field(description="A chat session to continue: the question is read against its earlier turns."),
    ] = None,
) -> dict[str, Any]:
    """Ask a question and get an answer grounded in one workspace's documents. Returns `answer`
    with `[n]` markers and `citations` (each `n`, `chunk_id`, `document_id`, `title`,
    `heading_path`), or `refused: true` with `refusal_reason` (unsafe, out_of_scope,
    empty_retrieval, low_confidence) when the documents do not support an answer: a refusal is
    an answer, not an error; do not invent one. Also `chat_log_id` and `request_id`. Needs the
    editor role, and a workspace that is not archived; every answer is logged."""
    data = _validated(
        ChatRequestSerializer, {"question": question, "workspace_id": workspace_id, "session_id": session_id}
    )
    workspace = workspace_for_principal(
        principal=principal, workspace_id=workspace_id, required_role=Role.EDITOR, writes=True
    )
    arguments = chat_arguments(workspace=workspace, data=data, actor=principal.actor, request_id=current_request_id())
    return ChatAnswerSerializer(chat_answer(**arguments)).data


def _validated(serializer_class, data: dict) -> dict:
    """The endpoint's own validation, so a tool accepts exactly what its endpoint accepts."""
    payload = serializer_class(data=data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


def _workspace_holding(principal: Principal, workspace_id: str | None, *, not_found: str) -> Workspace:
    """The workspace an object named only by its id lives in, if the caller may read it. An
    object in a workspace out of reach is answered exactly as one that does not exist."""
    if workspace_id is None:
        raise NotFound(not_found)
    try:
        return workspace_for_principal(principal=principal, workspace_id=workspace_id, required_role=Role.VIEWER)
    except NotFound:
        raise NotFound(not_found) from None
