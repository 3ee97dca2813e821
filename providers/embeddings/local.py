import copy
import os
import threading
from collections.abc import Sequence

from providers.catalogue import ModelSpec
from providers.embeddings.base import Embedder
from providers.errors import ProviderNotAvailable


class LocalEmbedder(Embedder):
    """sentence-transformers on the CPU, from a catalogue package or a local folder (no hub access)."""

    provider = "local"
    runtime = "sentence-transformers"

    def __init__(self, *, spec: ModelSpec, dimension: int, batch_size: int = 32):
        self.spec = spec
        self.model_name = spec.name
        self.dimension = dimension
        self.max_tokens = spec.max_tokens
        self.batch_size = batch_size
        self._model = None
        self._counter = None
        self._lock = threading.Lock()

    def load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(self.spec.path, device="cpu")
            model.max_seq_length = self.max_tokens
            actual = model.get_embedding_dimension()
            if actual != self.dimension:
                raise ProviderNotAvailable(
                    f"EMBEDDING_DIMENSION is {self.dimension} but {self.model_name} makes {actual}-dimensional vectors."
                )
            # The Rust tokenizer itself, without truncation: counting is on the
            # chunking hot path, and a truncating tokenizer would undercount.
            counter = copy.deepcopy(model.tokenizer.backend_tokenizer)
            counter.no_truncation()
            counter.no_padding()
            self._counter = counter
            self._model = model

    @property
    def is_loaded(self) -> bool:
        return self._model is not None

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.spec.query_prefix + text])[0]

    def count_tokens(self, text: str) -> int:
        self.load()
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.load()
        vectors = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()
