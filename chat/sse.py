"""Server-Sent Events for chat streams, served asynchronously under ASGI.

The chat events come from a synchronous generator (ORM, providers). Each
step runs in the request's worker thread while the event loop waits, sending
a heartbeat comment whenever a step takes longer than the heartbeat interval
(proxies close silent connections). When the client disconnects, Django
cancels this coroutine; the generator is then closed, which closes the
provider's stream, so no more tokens are generated for nobody.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

from chat.services import ChatEvent
from core.request_id import ContextBoundIterator

_DONE = object()


def format_event(event: ChatEvent) -> str:
    return f"event: {event.name}\ndata: {json.dumps(event.data, default=str)}\n\n"


class EventStreamRenderer(BaseRenderer):
    """Lets a stream endpoint accept `Accept: text/event-stream`, as SSE clients send it.

    The stream itself is written by `sse_stream`; what this renders is an answer given
    before streaming starts (a 4xx in the envelope), as one `error` event.
    """

    media_type = "text/event-stream"
    format = "sse"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return format_event(ChatEvent("error", data or {})).encode()


async def sse_stream(events: Iterator, *, heartbeat_seconds: float, format=format_event) -> AsyncIterator[str]:
    """`events` as Server-Sent Events text, each written by `format` (a chat event by default)."""
    step = sync_to_async(lambda: next(events, _DONE), thread_sensitive=True)
    close = sync_to_async(events.close, thread_sensitive=True)
    pending = None
    try:
        while True:
            pending = asyncio.ensure_future(step())
            while True:
                done, _ = await asyncio.wait({pending}, timeout=heartbeat_seconds)
                if done:
                    break
                yield ": heartbeat\n\n"
            event = pending.result()
            pending = None
            if event is _DONE:
                return
            yield format(event)
    finally:
        if pending is not None:
            # A step is still running in the worker thread: let it finish before closing the generator.
            await asyncio.wait({pending})
        await close()


def event_stream_response(events: Iterator, *, format=format_event) -> StreamingHttpResponse:
    """The events of one answer as a `text/event-stream` response, for the API and the web app alike."""
    # The stream is read after the view (and the request's middleware) returned: each step runs in
    # the request's context, so what it logs still carries the request id, workspace and key.
    events = ContextBoundIterator(events)
    response = StreamingHttpResponse(
        sse_stream(events, heartbeat_seconds=settings.CHAT_STREAM_HEARTBEAT_SECONDS, format=format),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through as they come
    return response
