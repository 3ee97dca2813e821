"""The OpenAI-compatible endpoints: workspaces as models, chat completions from their documents.

Authentication, roles, rate limits and workspace scoping are the REST API's; every answer
goes through `chat_events` and leaves its chat log, as `/chat` does.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from chat.services import chat_answer, chat_events
from chat.sse import EventStreamRenderer, event_stream_response
from core.roles import Role
from openai_compat.completions import as_data, completion, completion_chunks
from openai_compat.errors import openai_exception_handler
from openai_compat.serializers import ChatCompletionRequestSerializer
from providers.generators.base import Turn
from workspaces.scoping import workspace_for_principal
from workspaces.selectors import workspace_list_for_principal


class OpenAICompatibleView(APIView):
    def get_exception_handler(self):
        return openai_exception_handler


class ModelListApi(OpenAICompatibleView):
    """The workspaces the caller may read, as models (`model` in a completion is a workspace id)."""

    @extend_schema(operation_id="v1_models_list", responses={200: OpenApiResponse(description="A list of models")})
    def get(self, request):
        workspaces = workspace_list_for_principal(principal=request.user).order_by("pk")
        models = [
            {
                "id": workspace.pk,
                "object": "model",
                "created": int(workspace.created_at.timestamp()),
                "owned_by": "ragsite",
                "name": workspace.name,
            }
            for workspace in workspaces
        ]
        return Response({"object": "list", "data": models})


class ChatCompletionApi(OpenAICompatibleView):
    """A grounded answer to the last user message, with its citations, or a refusal with its reason."""

    required_role = Role.EDITOR
    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(
        operation_id="v1_chat_completions",
        request=ChatCompletionRequestSerializer,
        responses={200: OpenApiResponse(description="A chat.completion, or with stream: chat.completion.chunk events")},
    )
    def post(self, request):
        payload = ChatCompletionRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        model = payload.validated_data["model"]
        arguments = {
            "workspace": workspace_for_principal(
                principal=request.user, workspace_id=model, required_role=Role.EDITOR, writes=True
            ),
            "question": payload.question,
            "actor": request.user.actor,
            "request_id": request.request_id,
            "history": [Turn(role=role, content=content) for role, content in payload.history],
        }
        if not payload.validated_data["stream"]:
            return Response(completion(chat_answer(**arguments), model=model))
        options = payload.validated_data["stream_options"] or {}
        chunks = completion_chunks(
            chat_events(**arguments),
            model=model,
            request_id=request.request_id,
            include_usage=options.get("include_usage", False),
        )
        return event_stream_response(chunks, format=as_data)
