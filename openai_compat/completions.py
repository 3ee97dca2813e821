"""Answers in the Chat Completions shape: one `chat.completion`, or `chat.completion.chunk`s.

The text is the answer with its `[n]` markers; what standard clients ignore and ours can
use rides in extra fields: `citations` (chunk and document ids, title, heading path and the
quoted text of each cited passage) and `ragsite` (refusal and its reason, chat log and
request ids). A refusal is an ordinary answer whose reason is in `ragsite`.
"""

import json
import time
from collections.abc import Iterator

from chat.services import ChatAnswer, ChatEvent

DONE = "[DONE]"


def completion_id(request_id: str) -> str:
    return f"chatcmpl-{request_id}"


def completion(answer: ChatAnswer, *, model: str) -> dict:
    return {
        "id": completion_id(answer.request_id),
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.answer, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": _usage(answer.usage),
        "citations": answer.citations,
        "ragsite": _ragsite(
            refused=answer.refused,
            refusal_reason=answer.refusal_reason,
            chat_log_id=answer.chat_log_id,
            request_id=answer.request_id,
        ),
    }


def completion_chunks(
    events: Iterator[ChatEvent], *, model: str, request_id: str, include_usage: bool
) -> Iterator[dict | str]:
    """The chat events of one answer as chunks, ending with DONE (or with an error object)."""
    created = int(time.time())

    def chunk(delta: dict, finish_reason=None, **extra) -> dict:
        return {
            "id": completion_id(request_id),
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
            **extra,
        }

    citations = []
    try:
        for event in events:
            if event.name == "meta":
                yield chunk({"role": "assistant", "content": ""})
            elif event.name == "token":
                yield chunk({"content": event.data["text"]})
            elif event.name == "citations":
                citations = event.data["citations"]
            elif event.name == "done":
                done = event.data
                extras = {"request_id": request_id, "chat_log_id": done["chat_log_id"]}
                extras |= {"refused": done["refused"], "refusal_reason": done["refusal_reason"]}
                yield chunk({}, "stop", citations=citations, ragsite=_ragsite(**extras))
                if include_usage:
                    yield {**chunk({}), "choices": [], "usage": _usage(done["usage"])}
                yield DONE
            elif event.name == "error":
                # OpenAI's clients raise on a chunk that carries an error.
                error = event.data
                yield {
                    "error": {"message": error["message"], "type": "api_error", "param": None, "code": error["code"]}
                }
    finally:
        events.close()  # a client that went away stops the generation


def as_data(item: dict | str) -> str:
    """One Server-Sent Event as OpenAI sends them: a `data:` line, no event name."""
    return f"data: {item if item == DONE else json.dumps(item, default=str)}\n\n"


def _usage(usage: dict) -> dict:
    prompt, completion_tokens = usage.get("tokens_in", 0), usage.get("tokens_out", 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion_tokens, "total_tokens": prompt + completion_tokens}


def _ragsite(*, refused: bool, refusal_reason: str, chat_log_id: str, request_id: str) -> dict:
    return {
        "refused": refused,
        "refusal_reason": refusal_reason or None,
        "chat_log_id": chat_log_id,
        "request_id": request_id,
    }
