from django.db.models import Q, QuerySet

from chat.models import ChatLog, ChatMessage, ChatSession
from workspaces.models import Workspace


def chat_session_list(*, workspace: Workspace, actor: str | None = None) -> QuerySet[ChatSession]:
    """A workspace's sessions, newest first; with `actor`, only the ones that person opened."""
    sessions = ChatSession.objects.filter(workspace=workspace).order_by("-updated_at", "id")
    return sessions if actor is None else sessions.filter(actor=actor)


def chat_session_get(*, workspace: Workspace, session_id, actor: str | None = None) -> ChatSession | None:
    return chat_session_list(workspace=workspace, actor=actor).filter(pk=session_id).first()


def chat_session_messages(*, session: ChatSession) -> list[ChatMessage]:
    """The conversation in order, each answer with its log (refusal, rating)."""
    return list(session.messages.select_related("chat_log").order_by("created_at", "id"))


def chat_answer_message(*, workspace: Workspace, log_id, actor: str) -> ChatMessage | None:
    """The answer a chat log recorded, in one of `actor`'s sessions of the workspace."""
    return (
        ChatMessage.objects.select_related("chat_log", "session")
        .filter(chat_log_id=log_id, session__workspace=workspace, session__actor=actor)
        .first()
    )


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
