from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.selectors import chat_log_get, chat_log_list, chat_session_get, chat_session_list
from chat.serializers import (
    ChatAnswerSerializer,
    ChatFeedbackSerializer,
    ChatLogQuerySerializer,
    ChatLogSerializer,
    ChatRequestSerializer,
    ChatSessionCreateSerializer,
    ChatSessionDetailSerializer,
    ChatSessionSerializer,
)
from chat.services import chat_answer, chat_events, chat_log_rate, chat_session_create
from chat.sse import EventStreamRenderer, event_stream_response
from core.formats import CONTENT_TYPES, export_lines, serialized_rows
from core.roles import Role
from retrieval.search.filters import SearchFilters
from workspaces.models import Workspace
from workspaces.scoping import WorkspaceScopedMixin


def chat_arguments(*, workspace: Workspace, data: dict, actor: str, request_id: str) -> dict:
    """chat_answer's and chat_events' arguments for ChatRequestSerializer's validated data:
    /chat, /chat/stream and the MCP tool `ask` read a question the same way."""
    session = None
    if data.get("session_id"):
        session = chat_session_get(workspace=workspace, session_id=data["session_id"])
        if session is None:
            raise exceptions.NotFound("Chat session not found.")
    filters = SearchFilters.from_request(evidence_types=data.get("evidence_types"), filters=data.get("filters"))
    return {
        "workspace": workspace,
        "question": data["question"],
        "actor": actor,
        "request_id": request_id,
        "session": session,
        "filters": filters,
    }


class ChatMixin(WorkspaceScopedMixin):
    required_role = Role.EDITOR

    def chat_arguments(self, request) -> dict:
        payload = ChatRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return chat_arguments(
            workspace=self.workspace,
            data=payload.validated_data,
            actor=request.user.actor,
            request_id=request.request_id,
        )


class ChatApi(ChatMixin, APIView):
    """Answer a question from the workspace's documents, with citations, or refuse with a reason."""

    @extend_schema(request=ChatRequestSerializer, responses=ChatAnswerSerializer)
    def post(self, request):
        answer = chat_answer(**self.chat_arguments(request))
        return Response(ChatAnswerSerializer(answer).data)


class ChatStreamApi(ChatMixin, APIView):
    """The same answer as Server-Sent Events: meta, token..., citations, done (or error)."""

    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(
        request=ChatRequestSerializer, responses={(200, "text/event-stream"): OpenApiResponse(description="SSE events")}
    )
    def post(self, request):
        return event_stream_response(chat_events(**self.chat_arguments(request)))


class ChatSessionListApi(WorkspaceScopedMixin, generics.GenericAPIView):
    serializer_class = ChatSessionSerializer
    required_role = {"GET": Role.VIEWER, "POST": Role.EDITOR}

    @extend_schema(operation_id="chat_sessions_list", responses=ChatSessionSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(chat_session_list(workspace=self.workspace))
        return self.get_paginated_response(ChatSessionSerializer(page, many=True).data)

    @extend_schema(request=ChatSessionCreateSerializer, responses={201: ChatSessionSerializer})
    def post(self, request):
        payload = ChatSessionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        session = chat_session_create(
            workspace=self.workspace, actor=request.user.actor, title=payload.validated_data["title"]
        )
        return Response(ChatSessionSerializer(session).data, status=status.HTTP_201_CREATED)


class ChatSessionDetailApi(WorkspaceScopedMixin, APIView):
    required_role = Role.VIEWER

    @extend_schema(responses=ChatSessionDetailSerializer)
    def get(self, request, session_id):
        session = chat_session_get(workspace=self.workspace, session_id=session_id)
        if session is None:
            raise exceptions.NotFound("Chat session not found.")
        return Response(ChatSessionDetailSerializer(session).data)


class ChatLogListApi(WorkspaceScopedMixin, generics.GenericAPIView):
    serializer_class = ChatLogSerializer
    required_role = Role.ADMIN

    @extend_schema(
        operation_id="chat_logs_list", parameters=[ChatLogQuerySerializer], responses=ChatLogSerializer(many=True)
    )
    def get(self, request):
        query = ChatLogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(chat_log_list(workspace=self.workspace, filters=query.validated_data))
        return self.get_paginated_response(ChatLogSerializer(page, many=True).data)


class ChatLogDetailApi(WorkspaceScopedMixin, APIView):
    required_role = Role.ADMIN

    @extend_schema(responses=ChatLogSerializer)
    def get(self, request, log_id):
        log = chat_log_get(workspace=self.workspace, log_id=log_id)
        if log is None:
            raise exceptions.NotFound("Chat log not found.")
        return Response(ChatLogSerializer(log).data)


class ChatLogFeedbackApi(WorkspaceScopedMixin, APIView):
    """Rate one answer up or down, with an optional comment; rating again replaces it."""

    required_role = Role.EDITOR

    @extend_schema(request=ChatFeedbackSerializer, responses=ChatLogSerializer)
    def post(self, request, log_id):
        payload = ChatFeedbackSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        log = chat_log_get(workspace=self.workspace, log_id=log_id)
        if log is None:
            raise exceptions.NotFound("Chat log not found.")
        log = chat_log_rate(log=log, actor=request.user.actor, **payload.validated_data)
        return Response(ChatLogSerializer(log).data)


class ChatLogExportApi(WorkspaceScopedMixin, APIView):
    """All matching logs as JSON lines or CSV, streamed."""

    required_role = Role.ADMIN

    @extend_schema(
        parameters=[ChatLogQuerySerializer],
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, description="JSON lines"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV with a header row"),
        },
    )
    def get(self, request):
        query = ChatLogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = serialized_rows(chat_log_list(workspace=self.workspace, filters=query.validated_data), ChatLogSerializer)
        export_format = query.validated_data["format"]
        response = StreamingHttpResponse(
            export_lines(rows, format=export_format, fields=ChatLogSerializer.Meta.fields),
            content_type=CONTENT_TYPES[export_format],
        )
        response["Content-Disposition"] = f'attachment; filename="chat-logs-{self.workspace.pk}.{export_format}"'
        return response
