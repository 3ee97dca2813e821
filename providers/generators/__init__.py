"""The configured answer generator, one per process, chosen by GENERATOR_PROVIDER."""

from django.conf import settings

from providers.embeddings import EMBEDDING_SETTINGS
from providers.errors import ProviderNotAvailable
from providers.generators.base import Generator
from providers.generators.extractive import ExtractiveGenerator
from providers.generators.fake import FakeGenerator
from providers.generators.openai import OpenAIGenerator
from providers.registry import provider_factory


@provider_factory(
    "GENERATOR_PROVIDER",
    "GENERATOR_MODEL",
    "GENERATOR_TEMPERATURE",
    "GENERATOR_MAX_TOKENS",
    "OPENAI_API_STYLE",
    *EMBEDDING_SETTINGS,  # the extractive generator holds the embedder
)
def get_generator() -> Generator:
    provider = settings.GENERATOR_PROVIDER
    if provider == "extractive":
        return ExtractiveGenerator()
    if provider == "openai":
        return OpenAIGenerator.from_settings(
            model_name=settings.GENERATOR_MODEL,
            api_style=settings.OPENAI_API_STYLE,
            temperature=settings.GENERATOR_TEMPERATURE,
            max_tokens=settings.GENERATOR_MAX_TOKENS,
        )
    if provider == "fake":
        return FakeGenerator()
    raise ProviderNotAvailable(f"GENERATOR_PROVIDER={provider} is not supported.")
