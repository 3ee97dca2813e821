"""The configured reranker, one per process, chosen by RERANKER_PROVIDER."""

from django.conf import settings

from providers.catalogue import ONNX, reranker_model
from providers.errors import ProviderNotAvailable
from providers.registry import OPENAI_SETTINGS, provider_factory
from providers.rerank.base import Reranker
from providers.rerank.cross_encoder import CrossEncoderReranker
from providers.rerank.onnx_cross_encoder import OnnxCrossEncoderReranker
from providers.rerank.openai import OpenAIListwiseReranker


@provider_factory("RERANKER_PROVIDER", "RERANKER_MODEL", "GENERATOR_MODEL", "ONNX_THREADS", *OPENAI_SETTINGS)
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
            return OnnxCrossEncoderReranker(spec=spec, threads=settings.ONNX_THREADS)
        return CrossEncoderReranker(spec=spec)
    if provider == "openai":
        return OpenAIListwiseReranker.from_settings(model_name=settings.RERANKER_MODEL or settings.GENERATOR_MODEL)
    raise ProviderNotAvailable(f"RERANKER_PROVIDER={provider} is not supported.")
