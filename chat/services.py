"""Answering a question: guards, retrieval, generation, citations, logs.

`chat_events` is the one path. It yields the events of SSE streaming
(meta, token, citations, done, error); `chat_answer` runs the same events
and assembles one answer for `POST /chat`. Every answer, refusal and failure
leaves exactly one ChatLog row; the question is stored in the session before
anything can fail, so nothing of the conversation is lost.
"""

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from chat import guards
from chat.costs import estimate_cost_usd
from chat.models import ChatLog, ChatMessage, ChatSession, MessageRole, Rating
from core.errors import DomainError
from core.metrics import observe_stage, observe_stages_ms, record_provider_error, record_refusal, record_usage
from documents.sentences import sentence_vectors
from providers.errors import ProviderError, ProviderRateLimited, ProviderTimeout
from providers.generators import get_generator
from providers.generators.base import Passage, Turn, Usage
from providers.rewrite import get_query_rewriter
from retrieval.pipeline import search_chunks
from retrieval.search.filters import SearchFilters
from workspaces.models import Workspace

CITATION_MARKER = re.compile(r"\[(\d{1,3})\]")


@dataclass
class ChatEvent:
    name: str  # meta | token | citations | done | error
    data: dict


@dataclass
class ChatAnswer:
    answer: str
    citations: list[dict]
    refused: bool
    refusal_reason: str
    session_id: str | None
    chat_log_id: str
    request_id: str
    rewritten_query: str
    retrieved_chunk_ids: list[int]
    usage: dict
    latency_ms: dict
    invalid_citations: int


class ChatFailure(DomainError):
    """A provider failed; `code` is provider_error, provider_timeout or rate_limited, and the
    envelope names the chat log that recorded the failure."""

    status = 502
    code = "provider_error"

    def __init__(self, message: str, *, code: str, status: int, chat_log_id: str):
        super().__init__(message, code=code, status=status, extra={"chat_log_id": chat_log_id})


def error_code_for(exc: ProviderError) -> tuple[str, int]:
    if isinstance(exc, ProviderTimeout):
        return "provider_timeout", 504
    if isinstance(exc, ProviderRateLimited):
        return "rate_limited", 429
    return "provider_error", 502


def chat_session_create(*, workspace: Workspace, actor: str, title: str = "") -> ChatSession:
    return ChatSession.objects.create(workspace=workspace, actor=actor, title=title[:200])


def chat_session_rename(*, session: ChatSession, title: str) -> ChatSession:
    session.title = title.strip()[:200]
    session.save(update_fields=["title", "updated_at"])
    return session


def chat_session_delete(*, session: ChatSession) -> None:
    """The session and its messages go; its chat logs stay (operators' record), detached from it."""
    session.delete()


def chat_log_rate(*, log: ChatLog, rating: str, comment: str, actor: str) -> ChatLog:
    """Store the asker's feedback on one answer; rating again replaces it."""
    log.rating = Rating(rating)
    log.rating_comment = comment.strip()[:2000]
    log.rated_by = actor
    log.rated_at = timezone.now()
    log.save(update_fields=["rating", "rating_comment", "rated_by", "rated_at"])
    return log


def chat_events(
    *,
    workspace: Workspace,
    question: str,
    actor: str,
    request_id: str,
    session: ChatSession | None = None,
    filters: SearchFilters | None = None,
    history: list[Turn] | None = None,
) -> Iterator[ChatEvent]:
    """The events of one answer. Closing the iterator early (a client that went away) stops the generator.

    The conversation so far is the session's, or `history` when a caller keeps it itself
    (an OpenAI-style client sends every earlier turn with each question).
    """
    clock = _Clock()
    log = ChatLog(
        workspace=workspace,
        session=session,
        request_id=request_id,
        actor=actor,
        question=question,
    )
    history = _history(session) if history is None else history[-settings.CHAT_HISTORY_TURNS * 2 :]
    if session is not None:
        with transaction.atomic():
            ChatMessage.objects.create(session=session, role=MessageRole.USER, content=question)
            if not session.title:
                session.title = question[:200]
            session.save(update_fields=["title", "updated_at"])

    refusal = guards.check_question(question)
    passages: list[Passage] = []
    if refusal is None:
        try:
            with clock.stage("rewrite"):
                rewriter = get_query_rewriter()
                log.rewritten_query = rewriter.rewrite(question, history)
            with clock.stage("retrieval"):
                outcome = search_chunks(
                    workspace=workspace, query=log.rewritten_query, limit=settings.CHAT_CONTEXT_CHUNKS, filters=filters
                )
        except ProviderError as exc:
            # Counted already by the provider that raised it, unless it came from elsewhere.
            record_provider_error(provider="unknown", exc=exc)
            yield _failure(log, clock, exc, session)
            return
        log.retrieved_chunk_ids = [result.chunk.pk for result in outcome.results]
        refusal = guards.check_retrieval(outcome.results)
        passages = [
            Passage(
                number=result.rank,
                chunk_id=result.chunk.pk,
                document_id=str(result.chunk.document_id),
                title=result.chunk.document.title,
                heading_path=tuple(result.chunk.heading_path),
                text=result.chunk.text,
            )
            for result in outcome.results
        ]

    yield ChatEvent(
        "meta",
        {
            "request_id": request_id,
            "session_id": str(session.pk) if session else None,
            "retrieved_chunk_ids": log.retrieved_chunk_ids,
            "rewritten_query": log.rewritten_query,
        },
    )
    if refusal is not None:
        log.refused, log.refusal_reason, log.answer = True, refusal.reason, refusal.message
        record_refusal(refusal.reason)
        yield ChatEvent("token", {"text": refusal.message})
        yield from _finish(log, clock, session, citations=[], usage=Usage())
        return

    generator = get_generator()
    log.provider, log.model = generator.provider, generator.model_name
    if generator.reads_sentence_vectors:
        stored = sentence_vectors([passage.chunk_id for passage in passages])
        passages = [replace(passage, sentence_vectors=stored.get(passage.chunk_id)) for passage in passages]
    parts: list[str] = []
    usage = Usage()
    stream = generator.stream(question=question, passages=passages, history=history)
    try:
        with clock.stage("generation"):
            for chunk in stream:
                if chunk.text:
                    if not parts:
                        observe_stage("first_token", time.perf_counter() - clock.started)
                    parts.append(chunk.text)
                    yield ChatEvent("token", {"text": chunk.text})
                if chunk.usage is not None:
                    usage = chunk.usage
    except ProviderError as exc:
        record_provider_error(provider=f"generator:{generator.provider}", exc=exc)
        log.answer = "".join(parts)
        yield _failure(log, clock, exc, session)
        return
    except GeneratorExit:
        # The client went away: stop the provider's stream and record what was said.
        stream.close()
        log.answer, log.error_code, log.error = "".join(parts), "client_disconnected", "The client disconnected."
        _save_log(log, clock, Usage())
        raise
    log.answer = "".join(parts)
    citations, log.invalid_citations = _citations(log.answer, passages)
    yield from _finish(log, clock, session, citations=citations, usage=usage)


def chat_answer(**kwargs) -> ChatAnswer:
    """`chat_events`, gathered into one answer; a provider failure raises ChatFailure."""
    tokens: list[str] = []
    meta, citations, done = {}, [], {}
    for event in chat_events(**kwargs):
        if event.name == "meta":
            meta = event.data
        elif event.name == "token":
            tokens.append(event.data["text"])
        elif event.name == "citations":
            citations = event.data["citations"]
        elif event.name == "done":
            done = event.data
        elif event.name == "error":
            raise ChatFailure(
                event.data["message"],
                code=event.data["code"],
                chat_log_id=event.data["chat_log_id"],
                status=event.data["status"],
            )
    return ChatAnswer(
        answer="".join(tokens),
        citations=citations,
        refused=done["refused"],
        refusal_reason=done["refusal_reason"],
        session_id=meta["session_id"],
        chat_log_id=done["chat_log_id"],
        request_id=meta["request_id"],
        rewritten_query=meta["rewritten_query"],
        retrieved_chunk_ids=meta["retrieved_chunk_ids"],
        usage=done["usage"],
        latency_ms=done["latency_ms"],
        invalid_citations=done["invalid_citations"],
    )


def _finish(log: ChatLog, clock: "_Clock", session, *, citations: list[dict], usage: Usage) -> Iterator[ChatEvent]:
    log.citations = citations
    _save_log(log, clock, usage)
    if session is not None:
        ChatMessage.objects.create(
            session=session, role=MessageRole.ASSISTANT, content=log.answer, citations=citations, chat_log=log
        )
    yield ChatEvent("citations", {"citations": citations})
    yield ChatEvent(
        "done",
        {
            "chat_log_id": str(log.pk),
            "refused": log.refused,
            "refusal_reason": log.refusal_reason,
            "invalid_citations": log.invalid_citations,
            "usage": {"tokens_in": log.tokens_in, "tokens_out": log.tokens_out, "cost_usd": str(log.cost_usd)},
            "latency_ms": log.latency_ms,
        },
    )


def _failure(log: ChatLog, clock: "_Clock", exc: ProviderError, session) -> ChatEvent:
    code, status = error_code_for(exc)
    log.error_code, log.error = code, str(exc)[:2000]
    _save_log(log, clock, Usage())
    return ChatEvent(
        "error",
        {
            "code": code,
            "message": "The answer could not be generated: the model provider failed. Try again.",
            "status": status,
            "chat_log_id": str(log.pk),
            "request_id": log.request_id,
        },
    )


def _save_log(log: ChatLog, clock: "_Clock", usage: Usage) -> None:
    log.tokens_in, log.tokens_out = usage.tokens_in, usage.tokens_out
    log.cost_usd = estimate_cost_usd(model=log.model, tokens_in=usage.tokens_in, tokens_out=usage.tokens_out)
    log.latency_ms = clock.finish()
    log.save()
    observe_stages_ms(log.latency_ms)  # generation and total; rewrite and retrieval are not stages of their own
    record_usage(model=log.model, tokens_in=log.tokens_in, tokens_out=log.tokens_out, cost_usd=log.cost_usd)


def _citations(answer: str, passages: list[Passage]) -> tuple[list[dict], int]:
    """The passages the answer cites, in order of first mention; markers citing no passage are dropped and counted."""
    by_number = {passage.number: passage for passage in passages}
    cited, invalid = [], 0
    for match in CITATION_MARKER.finditer(answer):
        number = int(match.group(1))
        passage = by_number.get(number)
        if passage is None:
            invalid += 1
        elif all(entry["n"] != number for entry in cited):
            cited.append(
                {
                    "n": number,
                    "chunk_id": passage.chunk_id,
                    "document_id": passage.document_id,
                    "title": passage.title,
                    "heading_path": list(passage.heading_path),
                    "quote": _quote(passage.text),
                }
            )
    return cited, invalid


QUOTE_CHARACTERS = 500


def _quote(text: str) -> str:
    """The cited passage's text, cut at a word near QUOTE_CHARACTERS: what a client shows as the source."""
    if len(text) <= QUOTE_CHARACTERS:
        return text
    return text[:QUOTE_CHARACTERS].rsplit(" ", 1)[0] + " …"


def _history(session: ChatSession | None) -> list[Turn]:
    if session is None:
        return []
    recent = list(session.messages.order_by("-created_at", "-id")[: settings.CHAT_HISTORY_TURNS * 2])
    return [Turn(role=message.role, content=message.content) for message in reversed(recent)]


class _Clock:
    """Milliseconds per stage, and in total."""

    def __init__(self):
        self.started = time.perf_counter()
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = round((time.perf_counter() - started) * 1000, 1)

    def finish(self) -> dict:
        return {**self.stages, "total": round((time.perf_counter() - self.started) * 1000, 1)}
