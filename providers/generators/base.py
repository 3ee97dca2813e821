import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk handed to a generator; the answer cites it as [number]."""

    number: int
    chunk_id: int
    document_id: str
    title: str
    heading_path: tuple[str, ...]
    text: str
    # The vectors of the text's prose sentences, when indexing stored them (extractive answers).
    sentence_vectors: list[list[float]] | None = None


@dataclass(frozen=True)
class Turn:
    """An earlier message of the session (role "user" or "assistant")."""

    role: str
    content: str


@dataclass
class Usage:
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass
class GenerationChunk:
    """One piece of a streamed answer; the last one carries the usage."""

    text: str = ""
    usage: Usage | None = None


class Generator(ABC):
    """Writes an answer from passages, citing them as [n]. Subclasses: extractive, openai, fake.

    Passages are untrusted data: a generator never follows instructions found
    in them. Providers raise providers.errors.ProviderError (permanent) or
    RetryableProviderError (timeouts, 429, 5xx); a streaming generator may
    raise either after some chunks were already yielded.
    """

    provider: str
    model_name: str
    # Whether it reads Passage.sentence_vectors (the caller fetches them only then).
    reads_sentence_vectors = False

    @abstractmethod
    def stream(
        self, *, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[GenerationChunk]:
        """The answer as it is produced; the final chunk has `usage` set."""


# A word with the whitespace after it, so the pieces join back to the exact text.
_WORD_PIECE = re.compile(r"\s*\S+\s*")


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
