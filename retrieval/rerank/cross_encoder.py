import os
import threading
from collections.abc import Sequence

from retrieval.providers import ProviderNotAvailable
from retrieval.rerank.base import Reranker


class CrossEncoderReranker(Reranker):
    """A sentence-transformers CrossEncoder on the CPU, loaded from the local folder in RERANKER_MODEL."""

    provider = "cross-encoder"

    def __init__(self, *, model_name: str, batch_size: int = 16):
        self.model_name = model_name
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            if not self.model_name or not os.path.isdir(self.model_name):
                raise ProviderNotAvailable(
                    f"RERANKER_MODEL must be a local cross-encoder folder; {self.model_name!r} is not one."
                )
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import CrossEncoder

            try:
                self._model = CrossEncoder(self.model_name, device="cpu", local_files_only=True)
            except (OSError, ValueError) as exc:
                raise ProviderNotAvailable(
                    f"RERANKER_MODEL={self.model_name} could not be loaded as a cross-encoder: {exc}"
                ) from exc

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        self.load()
        pairs = [(query, passage) for passage in passages]
        scores = self._model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        return [float(score) for score in scores]
