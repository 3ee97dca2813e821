"""The configured embedder, one per process, chosen by EMBEDDING_PROVIDER.

`local` runs a model from the catalogue (or a local folder) on the runtime
its entry names: ONNX Runtime or sentence-transformers.
"""

from django.conf import settings

from providers.catalogue import ONNX, embedding_model
from providers.embeddings.base import Embedder
from providers.embeddings.fake import FakeEmbedder
from providers.embeddings.local import LocalEmbedder
from providers.embeddings.onnx import OnnxEmbedder
from providers.embeddings.openai import OpenAIEmbedder
from providers.errors import ProviderNotAvailable
from providers.registry import OPENAI_SETTINGS, provider_factory

# What the embedder is built from; providers holding an embedder (the extractive generator) list them too.
EMBEDDING_SETTINGS = (
    "EMBEDDING_PROVIDER",
    "EMBEDDING_MODEL",
    "EMBEDDING_DIMENSION",
    "EMBEDDING_BATCH_SIZE",
    "ONNX_THREADS",
    "CHUNK_MAX_TOKENS",
    *OPENAI_SETTINGS,
)


@provider_factory(*EMBEDDING_SETTINGS)
def get_embedder() -> Embedder:
    provider = settings.EMBEDDING_PROVIDER
    if provider == "local":
        spec = embedding_model(settings.EMBEDDING_MODEL)
        if spec.runtime == ONNX:
            return OnnxEmbedder(
                spec=spec,
                dimension=settings.EMBEDDING_DIMENSION,
                batch_size=settings.EMBEDDING_BATCH_SIZE,
                threads=settings.ONNX_THREADS,
            )
        return LocalEmbedder(
            spec=spec, dimension=settings.EMBEDDING_DIMENSION, batch_size=settings.EMBEDDING_BATCH_SIZE
        )
    if provider == "openai":
        return OpenAIEmbedder.from_settings(
            model_name=settings.EMBEDDING_MODEL,
            dimension=settings.EMBEDDING_DIMENSION,
            batch_size=settings.EMBEDDING_BATCH_SIZE,
            max_tokens=settings.CHUNK_MAX_TOKENS,
        )
    if provider == "fake":
        return FakeEmbedder(
            dimension=settings.EMBEDDING_DIMENSION,
            model_name=settings.EMBEDDING_MODEL,
            max_tokens=settings.CHUNK_MAX_TOKENS,
        )
    raise ProviderNotAvailable(f"EMBEDDING_PROVIDER={provider} is not supported.")
