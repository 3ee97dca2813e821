"""The configured reranker, one per process, chosen by RERANKER_PROVIDER."""

from functools import lru_cache

from django.conf import settings

from retrieval.models_catalogue import ONNX, reranker_model
from retrieval.providers import ProviderNotAvailable
from retrieval.rerank.base import Reranker


@lru_cache(maxsize=1)
def get_reranker() -> Reranker | None:
    """None when RERANKER_PROVIDER is "none": search then keeps its fused order.

    `cross-encoder` resolves RERANKER_MODEL through the catalogue (empty: the
    bundled ms-marco-MiniLM-L-12-v2) and runs it on ONNX Runtime, or on
    sentence-transformers for a local folder without an ONNX export.
    """
    provider = settings.RERANKER_PROVIDER
    if provider in ("none", ""):
        return None
    if provider == "cross-encoder":
        spec = reranker_model(settings.RERANKER_MODEL)
        if spec.runtime == ONNX:
            from retrieval.rerank.onnx_cross_encoder import OnnxCrossEncoderReranker

            return OnnxCrossEncoderReranker(spec=spec, threads=settings.ONNX_THREADS)
        from retrieval.rerank.cross_encoder import CrossEncoderReranker

        return CrossEncoderReranker(spec=spec)
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
