"""The `openai` client as every provider here uses it: one way to build it, one retry policy, one error mapping.

The SDK's own retries are switched off (max_retries=0) so that embedders,
rerankers and generators share a single bounded policy: at most
OPENAI_MAX_RETRIES further attempts, on retryable failures only (timeouts,
connection errors, 429, 5xx), with exponential backoff and jitter. Every
failure leaves as a providers.errors error, never as an SDK exception.
"""

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import openai
from django.conf import settings

from providers.errors import (
    ProviderConnectionError,
    ProviderError,
    ProviderNotAvailable,
    ProviderRateLimited,
    ProviderRequestRejected,
    ProviderTimeout,
    RetryableProviderError,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_BASE_DELAY = 0.5
DEFAULT_MAX_DELAY = 8.0
# Servers without keys (Ollama, vLLM, llama.cpp) ignore it, but the SDK refuses to start without one.
KEYLESS_PLACEHOLDER = "no-key"
_MAX_DETAIL = 300


def build_client(*, api_key: str, base_url: str | None = None, timeout: float = 30.0) -> openai.OpenAI:
    """An OpenAI client with the SDK's retries off; `base_url` None means api.openai.com.

    Raises ProviderNotAvailable when there is neither a key nor a base URL
    (api.openai.com always needs a key; other servers may not).
    """
    if not api_key and not base_url:
        raise ProviderNotAvailable("OPENAI_API_KEY is empty; set it, or OPENAI_BASE_URL for a server without keys.")
    return openai.OpenAI(
        api_key=api_key or KEYLESS_PLACEHOLDER,
        base_url=base_url or None,
        timeout=timeout,
        max_retries=0,
    )


def as_provider_error(exc: Exception, *, what: str) -> ProviderError:
    """The provider error for an exception raised by the SDK or while reading its answer.

    `what` names the operation for the message, e.g. "OpenAI embeddings".
    """
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout(f"{what}: timed out")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return ProviderConnectionError(f"{what}: connection failed ({_detail(cause)})")
    if isinstance(exc, openai.APIStatusError):
        message = f"{what}: HTTP {exc.status_code}: {_detail(exc.message)}"
        if exc.status_code == 429:
            return ProviderRateLimited(message)
        if exc.status_code >= 500:
            return RetryableProviderError(message)
        return ProviderRequestRejected(message)
    if isinstance(exc, openai.OpenAIError):
        return ProviderError(f"{what}: {_detail(exc)}")
    # The SDK lets JSON and schema errors through as ValueError (JSONDecodeError, pydantic).
    return ProviderError(f"{what}: malformed response ({exc.__class__.__name__}: {_detail(exc)})")


def backoff_delay(
    attempt: int, *, base_delay: float = DEFAULT_BASE_DELAY, max_delay: float = DEFAULT_MAX_DELAY
) -> float:
    """Seconds to wait before retry number `attempt` (0-based).

    Exponential with "equal jitter": half of the step is fixed so a retry
    always waits, half is random so clients that failed together spread out.
    """
    step = min(max_delay, base_delay * 2**attempt)
    return step / 2 + random.uniform(0, step / 2)


def call_with_retries(
    call: Callable[[], T],
    *,
    what: str,
    max_retries: int,
    base_delay: float = DEFAULT_BASE_DELAY,
    max_delay: float = DEFAULT_MAX_DELAY,
) -> T:
    """`call()`, tried again up to `max_retries` times while it fails retryably.

    `call` makes the SDK request and may read the answer; it may raise SDK
    exceptions, ValueError or provider errors. Whatever finally fails is raised
    as ProviderError or RetryableProviderError (chained to the original).
    """
    attempt = 0
    while True:
        try:
            return call()
        except (openai.OpenAIError, ValueError, ProviderError) as exc:
            error = as_provider_error(exc, what=what)
            if not error.retryable or attempt >= max_retries:
                if error is exc:
                    raise
                raise error from exc
            delay = max(
                backoff_delay(attempt, base_delay=base_delay, max_delay=max_delay), _retry_after(exc, max_delay)
            )
            logger.warning("%s; retry %d of %d in %.2fs", error, attempt + 1, max_retries, delay)
            time.sleep(delay)
            attempt += 1


def _retry_after(exc: Exception, max_delay: float) -> float:
    """The server's own Retry-After, when it sent one, capped so a bad header cannot stall a worker."""
    response = getattr(exc, "response", None)
    if response is None:
        return 0.0
    headers = response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return min(max_delay, max(0.0, float(headers.get(name, "")) * scale))
        except ValueError:
            continue
    return 0.0


def _detail(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_DETAIL else text[:_MAX_DETAIL] + "…"


class OpenAIBacked:
    """The base of every OpenAI-backed provider (embedder, reranker, query rewriter, generator):
    connection settings, a client built on first use (no network traffic before), and the
    retry policy above. Subclasses take their own options and pass the connection on."""

    def __init__(
        self,
        *,
        api_key: str = "",
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        retry_base_delay: float = DEFAULT_BASE_DELAY,
    ) -> None:
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self._client = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, **options):
        """The provider connected as OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_TIMEOUT_SECONDS and
        OPENAI_MAX_RETRIES say, with the provider's own `options`."""
        return cls(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=settings.OPENAI_TIMEOUT_SECONDS,
            max_retries=settings.OPENAI_MAX_RETRIES,
            **options,
        )

    def load(self) -> None:
        if self._client is not None:
            return
        with self._lock:
            if self._client is None:
                self._client = build_client(api_key=self.api_key, base_url=self.base_url, timeout=self.timeout)

    @property
    def is_loaded(self) -> bool:
        return self._client is not None

    def _with_retries(self, call: Callable[[], T], *, what: str) -> T:
        return call_with_retries(call, what=what, max_retries=self.max_retries, base_delay=self.retry_base_delay)
