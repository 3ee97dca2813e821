"""The chat pages: a person's conversations in a workspace, the answer streamed as it is
written, its citations, and a rating for each answer.

Asking goes through the one path, `chat_events`: with `Accept: text/event-stream` the
page's script receives its events as they come; a plain form post (no JavaScript)
waits for the whole answer and comes back to the conversation. People see only the
sessions they opened; roles and workspaces are checked by `page_workspace`, as the
API checks them.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chat.forms import AskForm, FeedbackForm, RenameForm
from chat.models import MessageRole
from chat.selectors import chat_answer_message, chat_session_get, chat_session_list, chat_session_messages
from chat.services import (
    ChatFailure,
    chat_answer,
    chat_events,
    chat_log_rate,
    chat_session_create,
    chat_session_delete,
    chat_session_rename,
)
from chat.sse import event_stream_response
from core.errors import DomainError, NotFound
from core.htmx import render_page_or_partial, wants_partial
from core.roles import Role
from workspaces.web import page_workspace, signed_in

SESSION_LIST_SIZE = 50


@signed_in
def chat_page(request, workspace_id: str, session_id=None):
    """A conversation (or, without `session_id`, a new one that the first question starts)."""
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    session = _own_session(request, workspace, session_id) if session_id else None
    context = {
        "workspace": workspace,
        "session": session,
        "sessions": chat_session_list(workspace=workspace, actor=request.principal.actor)[:SESSION_LIST_SIZE],
        "turns": _turns(chat_session_messages(session=session)) if session else [],
        "form": AskForm(initial={"session_id": session.pk if session else None}),
        "rename_form": RenameForm(initial={"title": session.title if session else ""}),
        "can_ask": _can_ask(request, workspace),
    }
    return render_page_or_partial(request, "chat/chat.html", context)


@signed_in
@require_POST
def chat_ask_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    form = AskForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    actor = request.principal.actor
    question = form.cleaned_data["question"]
    session_id = form.cleaned_data["session_id"]
    if session_id:
        session = _own_session(request, workspace, session_id)
    else:
        session = chat_session_create(workspace=workspace, actor=actor)
    arguments = {
        "workspace": workspace,
        "question": question,
        "actor": actor,
        "request_id": request.request_id,
        "session": session,
    }
    if "text/event-stream" in request.headers.get("Accept", ""):
        return event_stream_response(chat_events(**arguments))
    try:
        chat_answer(**arguments)
    except ChatFailure as failure:
        messages.error(request, failure.message)
    return redirect("app-chat-session", workspace_id=workspace.pk, session_id=session.pk)


@signed_in
@require_POST
def chat_rename_page(request, workspace_id: str, session_id):
    workspace, session = _session_to_change(request, workspace_id, session_id)
    form = RenameForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    chat_session_rename(session=session, title=form.cleaned_data["title"])
    return redirect("app-chat-session", workspace_id=workspace.pk, session_id=session.pk)


@signed_in
@require_POST
def chat_delete_page(request, workspace_id: str, session_id):
    workspace, session = _session_to_change(request, workspace_id, session_id)
    chat_session_delete(session=session)
    messages.success(request, f"Deleted the conversation “{session.title or 'Untitled'}”.")
    return redirect("app-chat", workspace_id=workspace.pk)


@signed_in
def chat_answer_fragment(request, workspace_id: str, log_id):
    """One answer as the conversation shows it: the page's script swaps it in for the streamed text."""
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    message = _own_answer(request, workspace, log_id)
    if not wants_partial(request):
        return redirect("app-chat-session", workspace_id=workspace.pk, session_id=message.session_id)
    context = {"workspace": workspace, "message": message, "can_ask": _can_ask(request, workspace)}
    return render(request, "chat/_answer.html", context)


@signed_in
@require_POST
def chat_feedback_page(request, workspace_id: str, log_id):
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    message = _own_answer(request, workspace, log_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    chat_log_rate(log=message.chat_log, actor=request.principal.actor, **form.cleaned_data)
    if not wants_partial(request):
        messages.success(request, "Thank you: your rating is saved.")
        return redirect("app-chat-session", workspace_id=workspace.pk, session_id=message.session_id)
    context = {"workspace": workspace, "log": message.chat_log, "can_ask": True, "saved": True}
    return render(request, "chat/_rating.html", context)


def _session_to_change(request, workspace_id: str, session_id):
    """The workspace and the person's own conversation an editor's action is about (404, 403, 409)."""
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    return workspace, _own_session(request, workspace, session_id)


def _own_session(request, workspace, session_id):
    session = chat_session_get(workspace=workspace, session_id=session_id, actor=request.principal.actor)
    if session is None:
        raise NotFound("Conversation not found.")
    return session


def _own_answer(request, workspace, log_id):
    message = chat_answer_message(workspace=workspace, log_id=log_id, actor=request.principal.actor)
    if message is None:
        raise NotFound("Answer not found.")
    return message


def _turns(history) -> list[tuple]:
    """(question, answer) pairs; an answer is None where none was recorded (the provider failed)."""
    turns = []
    for message in history:
        if message.role == MessageRole.USER:
            turns.append([message, None])
        elif turns and turns[-1][1] is None:
            turns[-1][1] = message
    return turns


def _invalid(form) -> DomainError:
    """A form a page's own controls would never send (a crafted post): a 400 naming the fields."""
    problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
    return DomainError(problems, code="invalid", status=400)


def _can_ask(request, workspace) -> bool:
    return not workspace.is_archived and request.principal.has_role(Role.EDITOR, workspace_id=workspace.pk)
