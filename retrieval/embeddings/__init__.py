"""The configured embedder, one per process, chosen by EMBEDDING_PROVIDER.

`local` runs a model from the catalogue (or a local folder) on the runtime
its entry names: ONNX Runtime or sentence-transformers.
"""

from functools import lru_cache

from django.conf import settings

from retrieval.embeddings.base import Embedder
from retrieval.models_catalogue import ONNX, embedding_model
from retrieval.providers import ProviderNotAvailable


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    provider = settings.EMBEDDING_PROVIDER
    if provider == "local":
        spec = embedding_model(settings.EMBEDDING_MODEL)
        if spec.runtime == ONNX:
            from retrieval.embeddings.onnx import OnnxEmbedder

            return OnnxEmbedder(
                spec=spec,
                dimension=settings.EMBEDDING_DIMENSION,
                batch_size=settings.EMBEDDING_BATCH_SIZE,
                threads=settings.ONNX_THREADS,
            )
        from retrieval.embeddings.local import LocalEmbedder

        return LocalEmbedder(
            spec=spec, dimension=settings.EMBEDDING_DIMENSION, batch_size=settings.EMBEDDING_BATCH_SIZE
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

        return FakeEmbedder(
            dimension=settings.EMBEDDING_DIMENSION,
            model_name=settings.EMBEDDING_MODEL,
            max_tokens=settings.CHUNK_MAX_TOKENS,
        )
    raise ProviderNotAvailable(f"EMBEDDING_PROVIDER={provider} is not supported.")
