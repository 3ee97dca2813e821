"""The configured reranker, one per process, chosen by RERANKER_PROVIDER."""

from functools import lru_cache

from django.conf import settings

from retrieval.providers import ProviderNotAvailable
from retrieval.rerank.base import Reranker


@lru_cache(maxsize=1)
def get_reranker() -> Reranker | None:
    """None when RERANKER_PROVIDER is "none": search then keeps its fused order."""
    provider = settings.RERANKER_PROVIDER
    if provider in ("none", ""):
        return None
    if provider == "cross-encoder":
        from retrieval.rerank.cross_encoder import CrossEncoderReranker

        return CrossEncoderReranker(model_name=settings.RERANKER_MODEL)
    if provider == "openai":
        from retrieval.rerank.openai import OpenAIListwiseReranker

        return OpenAIListwiseReranker(
            model_name=settings.RERANKER_MODEL or settings.GENERATOR_MODEL,
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=settings.OPENAI_TIMEOUT_SECONDS,
            max_retries=settings.OPENAI_MAX_RETRIES,
        )
    raise ProviderNotAvailable(f"RERANKER_PROVIDER={provider} is not supported.")
