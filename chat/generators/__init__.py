"""The configured answer generator, one per process, chosen by GENERATOR_PROVIDER.

Also the word helpers generators share: streaming an answer word by word and
estimating tokens when no tokenizer or server count is at hand.
"""

import re
from functools import lru_cache

from django.conf import settings

from chat.generators.base import GenerationChunk, Generator, Usage
from retrieval.providers import ProviderNotAvailable

# A word with the whitespace after it, so the pieces join back to the exact text.
_WORD_PIECE = re.compile(r"\s*\S+\s*")


@lru_cache(maxsize=1)
def get_generator() -> Generator:
    provider = settings.GENERATOR_PROVIDER
    if provider == "extractive":
        from chat.generators.extractive import ExtractiveGenerator

        return ExtractiveGenerator()
    if provider == "openai":
        from chat.generators.openai import OpenAIGenerator

        return OpenAIGenerator(
            model_name=settings.GENERATOR_MODEL,
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=settings.OPENAI_TIMEOUT_SECONDS,
            max_retries=settings.OPENAI_MAX_RETRIES,
            api_style=settings.OPENAI_API_STYLE,
            temperature=settings.GENERATOR_TEMPERATURE,
            max_tokens=settings.GENERATOR_MAX_TOKENS,
        )
    if provider == "fake":
        from chat.generators.fake import FakeGenerator

        return FakeGenerator()
    raise ProviderNotAvailable(f"GENERATOR_PROVIDER={provider} is not supported.")


def estimate_tokens(*texts: str) -> int:
    """Whitespace-separated words in `texts`: a rough token count where none is reported."""
    return sum(len(text.split()) for text in texts)


def word_chunks(text: str, usage: Usage) -> list[GenerationChunk]:
    """`text` as one chunk per word (with its whitespace), the last one carrying `usage`.

    An empty text is a single empty chunk, so a stream always ends with the usage.
    """
    chunks = [GenerationChunk(text=piece) for piece in _WORD_PIECE.findall(text)] or [GenerationChunk()]
    chunks[-1].usage = usage
    return chunks
