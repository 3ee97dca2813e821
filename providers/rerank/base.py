from abc import ABC, abstractmethod
from collections.abc import Sequence


class Reranker(ABC):
    """Scores (query, passage) pairs; higher is more relevant.

    Subclasses: cross-encoder (ONNX, or sentence-transformers for a folder), openai (listwise, any
    OpenAI-compatible server). `RERANKER_PROVIDER=none` means no reranker at all.
    Providers raise providers.errors.ProviderError / RetryableProviderError.
    """

    provider: str
    runtime: str = ""
    model_name: str

    @abstractmethod
    def load(self) -> None:
        """Load weights or check configuration; safe to call repeatedly."""

    @property
    @abstractmethod
    def is_loaded(self) -> bool: ...

    @abstractmethod
    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        """One score per passage, in the order given."""
