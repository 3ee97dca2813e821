"""The configured embedder, one per process, chosen by EMBEDDING_PROVIDER."""

import logging
import threading
from functools import lru_cache

from django.conf import settings

from retrieval.embeddings.base import Embedder
from retrieval.providers import ProviderNotAvailable

logger = logging.getLogger(__name__)
_warm_up_lock = threading.Lock()
_warm_up_state = {"thread": None, "error": ""}


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    provider = settings.EMBEDDING_PROVIDER
    if provider == "local":
        from retrieval.embeddings.local import LocalEmbedder

        return LocalEmbedder(
            model_name=settings.EMBEDDING_MODEL,
            dimension=settings.EMBEDDING_DIMENSION,
            max_tokens=settings.CHUNK_MAX_TOKENS,
            batch_size=settings.EMBEDDING_BATCH_SIZE,
        )
    if provider == "openai":
        from retrieval.embeddings.openai import OpenAIEmbedder

        return OpenAIEmbedder(
            model_name=settings.EMBEDDING_MODEL,
            dimension=settings.EMBEDDING_DIMENSION,
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=settings.OPENAI_TIMEOUT_SECONDS,
            max_retries=settings.OPENAI_MAX_RETRIES,
            batch_size=settings.EMBEDDING_BATCH_SIZE,
            max_tokens=settings.CHUNK_MAX_TOKENS,
        )
    if provider == "fake":
        from retrieval.embeddings.fake import FakeEmbedder

        return FakeEmbedder(dimension=settings.EMBEDDING_DIMENSION, max_tokens=settings.CHUNK_MAX_TOKENS)
    raise ProviderNotAvailable(f"EMBEDDING_PROVIDER={provider} is not supported.")


def warm_up_in_background() -> None:
    """Load the model off the request path; /health answers 503 until it is ready."""
    with _warm_up_lock:
        thread = _warm_up_state["thread"]
        if thread is not None and thread.is_alive():
            return
        thread = threading.Thread(target=_warm_up, name="embedder-warm-up", daemon=True)
        _warm_up_state["thread"] = thread
        thread.start()


def warm_up_error() -> str:
    return _warm_up_state["error"]


def _warm_up() -> None:
    try:
        get_embedder().load()
        _warm_up_state["error"] = ""
    except Exception as exc:  # reported by /health, never raised into a request
        logger.exception("embedding model failed to load")
        _warm_up_state["error"] = str(exc)
