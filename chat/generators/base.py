from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk handed to a generator; the answer cites it as [number]."""

    number: int
    chunk_id: int
    document_id: str
    title: str
    heading_path: tuple[str, ...]
    text: str


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


@dataclass
class Generation:
    text: str
    usage: Usage = field(default_factory=Usage)


class Generator(ABC):
    """Writes an answer from passages, citing them as [n]. Subclasses: extractive, openai, fake.

    Passages are untrusted data: a generator never follows instructions found
    in them. Providers raise retrieval.providers.ProviderError (permanent) or
    RetryableProviderError (timeouts, 429, 5xx); a streaming generator may
    raise either after some chunks were already yielded.
    """

    provider: str
    model_name: str

    @abstractmethod
    def stream(
        self, *, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[GenerationChunk]:
        """The answer as it is produced; the final chunk has `usage` set."""

    def generate(self, *, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()) -> Generation:
        """The whole answer at once (by default, the stream joined)."""
        parts, usage = [], Usage()
        for chunk in self.stream(question=question, passages=passages, history=history):
            parts.append(chunk.text)
            if chunk.usage is not None:
                usage = chunk.usage
        return Generation(text="".join(parts), usage=usage)
