"""A real OpenAI-compatible HTTP server on the loopback interface, for tests.

Tests drive the official `openai` client against it, so the whole path (HTTP,
headers, JSON, SSE, timeouts, dropped connections) is exercised, not a mock.

    with OpenAITestServer() as server:
        client = OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)
        server.enqueue(Fail(429), Reply("Paris"))
        ...
        assert server.requests[-1].headers["authorization"] == "Bearer sk-test"

The pytest fixture `openai_server` (testing.fixtures) yields a started
server and stops it afterwards.

Endpoints (under /v1):

- POST /embeddings: hashed bag-of-words vectors of `server.dimension` numbers
  (or the request's `dimensions`), deliberately NOT unit length so that a
  client's normalisation is observable. `encoding_format` "float" or "base64".
- POST /chat/completions: a `chat.completion`, or with `stream: true` SSE
  `chat.completion.chunk`s ending in `data: [DONE]`; the usage chunk is sent
  when `stream_options.include_usage` is true, as OpenAI does.
- POST /responses: a `response`, or with `stream: true` the Responses event
  sequence (response.created, response.in_progress, output_item.added,
  content_part.added, output_text.delta..., output_text.done,
  content_part.done, output_item.done, response.completed with usage).
- GET /models: the names in `server.models`.

Scripting: `server.enqueue(*behaviours, endpoint=None)` appends behaviours to
one ordered queue. Each request takes the first queued behaviour whose
`endpoint` is None or matches its path ("embeddings", "chat/completions",
"responses"); with nothing queued it gets `server.default` (a plain `Reply()`).
A bare string is shorthand for `Reply(text)`. Behaviours:

- `Reply(text=None, tokens=None, usage=None, finish_reason="stop", token_delay=0.0)`:
  succeed. Chat and Responses answer `text` (default `server.default_text`);
  a stream sends `tokens` (default: `text` split after each space), sleeping
  `token_delay` seconds before each. `usage` overrides the counted usage.
  On /embeddings it means "embed normally", like `Embed()`.
- `Embed(dimension=None, reverse=False)`: embeddings of another dimension, or
  with `data` in reverse order (clients must sort by `index`).
- `Fail(status=500, message=None, type=None, code=None, headers=None)`: an
  OpenAI-style error body `{"error": {...}}` with that status; add
  `headers={"retry-after": "0"}` and the like as needed.
- `Malformed(body='{"data": [', status=200, content_type="application/json")`:
  send exactly this body.
- `Raw(body, status=200, headers=None)`: send this JSON-serialisable body.
- `Hang(seconds=5.0)`: wait (cut short when the server stops), then close the
  connection without answering; with a shorter client timeout the SDK raises
  APITimeoutError.
- `Drop(tokens=(), after_seconds=0.0)`: start a streamed answer, send these
  tokens, wait, then cut the connection mid-body (a non-streamed request gets
  a truncated body); the SDK raises APIConnectionError.

Every request is recorded, whatever it got back, as `RecordedRequest(method,
path, headers, body, raw)`: `path` without the query string, `headers` with
lower-case names, `body` the parsed JSON or None. `server.requests` is a copy
in arrival order; `server.requests_to("embeddings")` filters by endpoint;
`server.pending` lists behaviours not consumed yet; `server.vector(text)` is
the raw vector /embeddings returns for `text`. `require_api_key="sk-x"` makes
every request without that bearer token fail with 401.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import itertools
import json
import re
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

_WORD = re.compile(r"\w+", re.UNICODE)
_API_PREFIX = "/v1/"
_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class Reply:
    """Succeed: answer `text`, streamed as `tokens`; on /embeddings, embed normally."""

    text: str | None = None
    tokens: tuple[str, ...] | list[str] | None = None
    usage: dict | None = None
    finish_reason: str = "stop"
    token_delay: float = 0.0


@dataclass(frozen=True)
class Embed:
    """Embeddings of another `dimension`, or with `data` in reverse order."""

    dimension: int | None = None
    reverse: bool = False


@dataclass(frozen=True)
class Fail:
    """An OpenAI-style error body with this status."""

    status: int = 500
    message: str | None = None
    type: str | None = None
    code: str | None = None
    headers: dict | None = None


@dataclass(frozen=True)
class Malformed:
    """Exactly this body, whatever it is."""

    body: str = '{"data": ['
    status: int = 200
    content_type: str = "application/json"


@dataclass(frozen=True)
class Raw:
    """This JSON-serialisable body, as is."""

    body: Any
    status: int = 200
    headers: dict | None = None


@dataclass(frozen=True)
class Hang:
    """No answer for `seconds`, then a closed connection."""

    seconds: float = 5.0


@dataclass(frozen=True)
class Drop:
    """Start the answer, send `tokens`, wait `after_seconds`, cut the connection."""

    tokens: tuple[str, ...] | list[str] = ()
    after_seconds: float = 0.0


Behaviour = Reply | Embed | Fail | Malformed | Raw | Hang | Drop


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received; `headers` have lower-case names, `body` is parsed JSON or None."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes = field(repr=False)

    @property
    def endpoint(self) -> str:
        return self.path.removeprefix(_API_PREFIX)


class OpenAITestServer:
    """A scripted OpenAI API on 127.0.0.1 and a free port; see the module docstring."""

    def __init__(
        self,
        *,
        dimension: int = 8,
        default_text: str = "Hello from the test server.",
        require_api_key: str | None = None,
    ):
        self.dimension = dimension
        self.default_text = default_text
        self.default: Behaviour = Reply()
        self.models: list[str] = ["test-model"]
        self.require_api_key = require_api_key
        self._queue: list[tuple[str | None, Behaviour]] = []
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd: _QuietServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------

    def start(self) -> OpenAITestServer:
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() waits up to one interval
            name="openai-test-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases Hang and Drop waits
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> OpenAITestServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """What to pass as the client's base_url, e.g. http://127.0.0.1:54321/v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    # --- scripting and records ------------------------------------------------------

    def enqueue(self, *behaviours: Behaviour | str, endpoint: str | None = None) -> None:
        """Queue behaviours for the next requests (to `endpoint` only, when given)."""
        with self._lock:
            for behaviour in behaviours:
                if isinstance(behaviour, str):
                    behaviour = Reply(behaviour)
                self._queue.append((endpoint, behaviour))

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._requests.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [request for request in self.requests if request.endpoint == endpoint]

    @property
    def pending(self) -> list[Behaviour]:
        with self._lock:
            return [behaviour for _, behaviour in self._queue]

    def _record_and_pick(self, request: RecordedRequest) -> Behaviour:
        with self._lock:
            self._requests.append(request)
            for position, (endpoint, behaviour) in enumerate(self._queue):
                if endpoint is None or endpoint == request.endpoint:
                    del self._queue[position]
                    return behaviour
            return self.default

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}"

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    # --- payloads ----------------------------------------------------------------------

    def vector(self, text: str, dimension: int | None = None) -> list[float]:
        """The (unnormalised) vector this server returns for `text`, to compare clients' results with."""
        dimension = dimension or self.dimension
        vector = [0.0] * dimension
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest[:4], "little") % dimension] += 1.0 if digest[4] & 1 else -1.0
        if not any(vector):
            vector[0] = 1.0
        return vector


def _count_tokens(value: Any) -> int:
    return len(_WORD.findall(value if isinstance(value, str) else json.dumps(value)))


def _split_tokens(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text) or [""]


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a Hang must never keep the test run alive

    def handle_error(self, request, client_address):
        # Clients hanging up (timeouts, closed streams) is what many tests are about, not a server fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    server_state: OpenAITestServer
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like a real API

    def log_message(self, format, *args):
        return None

    # --- dispatch -----------------------------------------------------------------------

    def do_GET(self):
        request = self._read_request()
        if request is None:
            return
        if request.endpoint == "models":
            models = self.server_state.models
            data = [{"id": name, "object": "model", "created": 0, "owned_by": "test"} for name in models]
            self._send_json(200, {"object": "list", "data": data})
            return
        self._send_error(404, f"Unknown path {request.path}", "invalid_request_error", None)

    def do_POST(self):
        request = self._read_request()
        if request is None:
            return
        handlers = {
            "embeddings": self._embeddings,
            "chat/completions": self._chat_completions,
            "responses": self._responses,
        }
        handler = handlers.get(request.endpoint)
        if handler is None:
            self._send_error(404, f"Unknown path {request.path}", "invalid_request_error", None)
            return
        behaviour = self.server_state._record_and_pick(request)
        if not isinstance(request.body, dict):
            self._send_error(400, "The request body must be a JSON object.", "invalid_request_error", None)
            return
        if self._generic(behaviour, request):
            return
        handler(behaviour, request.body)

    def _read_request(self) -> RecordedRequest | None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        path = self.path.split("?", 1)[0]
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = RecordedRequest(self.command, path, headers, body, raw)
        expected = self.server_state.require_api_key
        if expected is not None and headers.get("authorization") != f"Bearer {expected}":
            with self.server_state._lock:
                self.server_state._requests.append(request)
            self._send_error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
            return None
        return request

    def _generic(self, behaviour: Behaviour, request: RecordedRequest) -> bool:
        """Behaviours that do not depend on the endpoint; True when one was handled."""
        state = self.server_state
        if isinstance(behaviour, Fail):
            default_type, default_code = _ERROR_TYPES.get(behaviour.status, ("server_error", None))
            message = behaviour.message or f"Scripted failure with status {behaviour.status}."
            self._send_error(
                behaviour.status,
                message,
                behaviour.type or default_type,
                behaviour.code or default_code,
                behaviour.headers,
            )
        elif isinstance(behaviour, Malformed):
            self._send_bytes(behaviour.status, behaviour.body.encode(), behaviour.content_type)
        elif isinstance(behaviour, Raw):
            self._send_json(behaviour.status, behaviour.body, behaviour.headers)
        elif isinstance(behaviour, Hang):
            state._wait(behaviour.seconds)
            self._drop()
        elif isinstance(behaviour, Drop) and not request.body.get("stream"):
            payload = b'{"id": "cut-short", "object": "truncated", "data": [1, 2, 3]}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload) * 2))
            self.end_headers()
            self.wfile.write(payload)
            state._wait(behaviour.after_seconds)
            self._drop()
        else:
            return False
        return True

    # --- endpoints ------------------------------------------------------------------------

    def _embeddings(self, behaviour: Behaviour, body: dict) -> None:
        state = self.server_state
        texts = body.get("input")
        if isinstance(texts, str) or (isinstance(texts, list) and texts and isinstance(texts[0], int)):
            texts = [texts]
        if not isinstance(texts, list) or not texts:
            self._send_error(400, "'input' must be a non-empty string or array.", "invalid_request_error", None)
            return
        texts = [text if isinstance(text, str) else " ".join(map(str, text)) for text in texts]
        embed = behaviour if isinstance(behaviour, Embed) else Embed()
        dimension = embed.dimension or body.get("dimensions") or state.dimension
        data = []
        for index, text in enumerate(texts):
            vector = state.vector(text, dimension)
            if body.get("encoding_format") == "base64":
                vector = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": vector})
        if embed.reverse:
            data.reverse()
        tokens = sum(_count_tokens(text) for text in texts)
        self._send_json(
            200,
            {
                "object": "list",
                "data": data,
                "model": body.get("model", ""),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    def _chat_completions(self, behaviour: Behaviour, body: dict) -> None:
        state = self.server_state
        reply = behaviour if isinstance(behaviour, Reply) else Reply()
        text, tokens = self._text_and_tokens(reply, behaviour)
        usage = reply.usage or _chat_usage(_count_tokens(body.get("messages", "")), _count_tokens(text))
        base = {"id": state._next_id("chatcmpl"), "created": int(time.time()), "model": body.get("model", "")}
        base["system_fingerprint"] = None
        if not body.get("stream"):
            message = {"role": "assistant", "content": text, "refusal": None}
            choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": reply.finish_reason}
            self._send_json(200, {**base, "object": "chat.completion", "choices": [choice], "usage": usage})
            return

        def chunk(delta, finish_reason=None):
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            return {**base, "object": "chat.completion.chunk", "choices": [choice]}

        self._start_stream()
        self._send_event(chunk({"role": "assistant", "content": ""}))
        for token in tokens:
            state._wait(reply.token_delay)
            self._send_event(chunk({"content": token}))
        if isinstance(behaviour, Drop):
            state._wait(behaviour.after_seconds)
            self._drop()
            return
        self._send_event(chunk({}, reply.finish_reason))
        if (body.get("stream_options") or {}).get("include_usage"):
            self._send_event({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        self._send_chunk(b"data: [DONE]\n\n")
        self._end_stream()

    def _responses(self, behaviour: Behaviour, body: dict) -> None:
        state = self.server_state
        reply = behaviour if isinstance(behaviour, Reply) else Reply()
        text, tokens = self._text_and_tokens(reply, behaviour)
        input_tokens = _count_tokens(body.get("input", "")) + _count_tokens(body.get("instructions") or "")
        usage = reply.usage or _responses_usage(input_tokens, _count_tokens(text))
        response_id, item_id = state._next_id("resp"), state._next_id("msg")
        created = int(time.time())

        def response(status, output, usage=None):
            return {
                "id": response_id,
                "object": "response",
                "created_at": created,
                "status": status,
                "model": body.get("model", ""),
                "output": output,
                "parallel_tool_calls": True,
                "tool_choice": "auto",
                "tools": [],
                "instructions": body.get("instructions"),
                "error": None,
                "incomplete_details": None,
                "usage": usage,
            }

        def message(status, content):
            return {"id": item_id, "type": "message", "role": "assistant", "status": status, "content": content}

        part = {"type": "output_text", "text": text, "annotations": []}
        if not body.get("stream"):
            self._send_json(200, response("completed", [message("completed", [part])], usage))
            return

        sequence = itertools.count()

        def event(kind, **fields):
            self._send_event({"type": kind, "sequence_number": next(sequence), **fields}, event=kind)

        where = {"item_id": item_id, "output_index": 0, "content_index": 0}
        self._start_stream()
        event("response.created", response=response("in_progress", []))
        event("response.in_progress", response=response("in_progress", []))
        event("response.output_item.added", output_index=0, item=message("in_progress", []))
        event("response.content_part.added", part={**part, "text": ""}, **where)
        for token in tokens:
            state._wait(reply.token_delay)
            event("response.output_text.delta", delta=token, logprobs=[], **where)
        if isinstance(behaviour, Drop):
            state._wait(behaviour.after_seconds)
            self._drop()
            return
        event("response.output_text.done", text=text, logprobs=[], **where)
        event("response.content_part.done", part=part, **where)
        event("response.output_item.done", output_index=0, item=message("completed", [part]))
        event("response.completed", response=response("completed", [message("completed", [part])], usage))
        self._end_stream()

    def _text_and_tokens(self, reply: Reply, behaviour: Behaviour) -> tuple[str, list[str]]:
        if isinstance(behaviour, Drop):
            tokens = list(behaviour.tokens)
            return "".join(tokens), tokens
        if reply.tokens is not None:
            tokens = list(reply.tokens)
            return "".join(tokens), tokens
        text = self.server_state.default_text if reply.text is None else reply.text
        return text, _split_tokens(text)

    # --- wire -----------------------------------------------------------------------------------

    def _send_error(self, status, message, error_type, code, headers=None):
        error = {"message": message, "type": error_type, "param": None, "code": code}
        self._send_json(status, {"error": error}, headers)

    def _send_json(self, status: int, body: Any, headers: dict | None = None) -> None:
        self._send_bytes(status, json.dumps(body).encode(), "application/json", headers)

    def _send_bytes(self, status: int, payload: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-request-id", self.server_state._next_id("req"))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(payload)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _send_event(self, data: dict, event: str | None = None) -> None:
        prefix = f"event: {event}\n" if event else ""
        self._send_chunk(f"{prefix}data: {json.dumps(data)}\n\n".encode())

    def _send_chunk(self, payload: bytes) -> None:
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        """Cut the connection with no proper end, as a crashed upstream or proxy would."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client already went away


def _chat_usage(prompt_tokens: int, completion_tokens: int) -> dict:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _responses_usage(input_tokens: int, output_tokens: int) -> dict:
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": input_tokens + output_tokens,
    }
