from abc import ABC, abstractmethod
from collections.abc import Sequence

from providers.instrumentation import instrument_methods


class Reranker(ABC):
    """Scores (query, passage) pairs; higher is more relevant.

    Subclasses: cross-encoder (ONNX, or sentence-transformers for a folder), openai (listwise, any
    OpenAI-compatible server). `RERANKER_PROVIDER=none` means no reranker at all.
    Providers raise providers.errors.ProviderError / RetryableProviderError.
    """

    provider: str
    runtime: str = ""
    model_name: str

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        instrument_methods(cls, component="reranker", methods=("rerank",))

    @abstractmethod
    def load(self) -> None:
        """Load weights or check configuration; safe to call repeatedly."""

    @property
    @abstractmethod
    def is_loaded(self) -> bool: ...

    @abstractmethod
    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        """One score per passage, in the order given."""
