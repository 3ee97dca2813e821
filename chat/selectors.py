from django.db.models import Q, QuerySet

from chat.models import ChatLog, ChatSession
from workspaces.models import Workspace


def chat_session_list(*, workspace: Workspace) -> QuerySet[ChatSession]:
    return ChatSession.objects.filter(workspace=workspace).order_by("-updated_at", "id")


def chat_session_get(*, workspace: Workspace, session_id) -> ChatSession | None:
    return ChatSession.objects.filter(workspace=workspace, pk=session_id).first()


def chat_log_list(*, workspace: Workspace, filters: dict) -> QuerySet[ChatLog]:
    """Newest first. Filters: since, until, refused, refusal_reason, rating (up, down, rated, unrated),
    session_id, request_id, q (text)."""
    logs = ChatLog.objects.filter(workspace=workspace).order_by("-created_at", "id")
    if filters.get("since"):
        logs = logs.filter(created_at__gte=filters["since"])
    if filters.get("until"):
        logs = logs.filter(created_at__lt=filters["until"])
    if filters.get("refused") is not None:
        logs = logs.filter(refused=filters["refused"])
    if filters.get("refusal_reason"):
        logs = logs.filter(refusal_reason=filters["refusal_reason"])
    rating = filters.get("rating")
    if rating == "rated":
        logs = logs.exclude(rating="")
    elif rating == "unrated":
        logs = logs.filter(rating="")
    elif rating:
        logs = logs.filter(rating=rating)
    if filters.get("session_id"):
        logs = logs.filter(session_id=filters["session_id"])
    if filters.get("request_id"):
        logs = logs.filter(request_id=filters["request_id"])
    if filters.get("q"):
        logs = logs.filter(Q(question__icontains=filters["q"]) | Q(answer__icontains=filters["q"]))
    return logs


def chat_log_get(*, workspace: Workspace, log_id) -> ChatLog | None:
    return ChatLog.objects.filter(workspace=workspace, pk=log_id).first()
