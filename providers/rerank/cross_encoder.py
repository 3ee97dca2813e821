import os
import threading
from collections.abc import Sequence

from providers.catalogue import ModelSpec
from providers.errors import ProviderNotAvailable
from providers.rerank.base import Reranker


class CrossEncoderReranker(Reranker):
    """A sentence-transformers CrossEncoder on the CPU, for a local folder without an ONNX export."""

    provider = "cross-encoder"
    runtime = "sentence-transformers"

    def __init__(self, *, spec: ModelSpec, batch_size: int = 16):
        self.spec = spec
        self.model_name = spec.name
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    def load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import CrossEncoder

            try:
                self._model = CrossEncoder(
                    self.spec.path, device="cpu", local_files_only=True, max_length=self.spec.max_tokens
                )
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
