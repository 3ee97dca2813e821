from abc import ABC, abstractmethod
from collections.abc import Sequence

from providers.instrumentation import instrument_methods


class Embedder(ABC):
    """Turns text into vectors. Subclasses: onnx and sentence-transformers (both
    EMBEDDING_PROVIDER=local, by the model's catalogue entry), openai, fake.

    `model_name` is recorded on every document it indexes, so a change of model
    is visible and reindexable. `load()` does the heavy work (weights, tokenizer)
    and is safe to call repeatedly; everything else calls it on first use.
    """

    provider: str
    runtime: str = ""  # how a local model runs: onnx or sentence-transformers
    model_name: str
    dimension: int
    max_tokens: int

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        instrument_methods(
            cls, component="embedder", methods=("embed_documents", "embed_query"), batches="embed_documents"
        )

    @abstractmethod
    def load(self) -> None: ...

    @property
    @abstractmethod
    def is_loaded(self) -> bool: ...

    @abstractmethod
    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors for passages, normalised to unit length, one per text."""

    @abstractmethod
    def embed_query(self, text: str) -> list[float]:
        """The vector for a search query (some models embed queries differently)."""

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens as the model's own tokenizer counts them (no special tokens)."""
