from collections.abc import Sequence

import numpy as np

from providers.catalogue import ModelSpec
from providers.embeddings.base import Embedder
from providers.errors import ProviderNotAvailable
from providers.onnx_runtime import OnnxModel, tokenizer


class OnnxEmbedder(Embedder):
    """A transformer encoder run by ONNX Runtime on the CPU, with the model's own recipe.

    The catalogue spec gives the pooling (CLS or attention-masked mean), the
    prefix queries get, and the longest input. Texts are tokenized once, in
    Rust, then encoded in batches of similar length; vectors are L2-normalised.
    """

    provider = "local"
    runtime = "onnx"

    def __init__(
        self, *, spec: ModelSpec, dimension: int, batch_size: int = 32, batch_tokens: int = 1024, threads: int = 0
    ):
        self.spec = spec
        self.model_name = spec.name
        self.dimension = dimension
        self.max_tokens = spec.max_tokens
        self._model = OnnxModel(
            path=spec.path,
            max_tokens=spec.max_tokens,
            setting="EMBEDDING_MODEL",
            threads=threads,
            batch_size=batch_size,
            batch_tokens=batch_tokens,
        )
        self._counter = None

    def load(self) -> None:
        if self._counter is not None:
            return
        self._model.load()
        width = self._model.session.get_outputs()[0].shape[-1]
        if isinstance(width, int) and width != self.dimension:
            raise ProviderNotAvailable(
                f"EMBEDDING_DIMENSION is {self.dimension} but {self.model_name} makes {width}-dimensional vectors."
            )
        # Counting must not truncate, or long blocks would look short to the chunker.
        self._counter = tokenizer(self.spec.path, max_tokens=None)

    @property
    def is_loaded(self) -> bool:
        return self._counter is not None

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return self._encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode([self.spec.query_prefix + text])[0].tolist()

    def count_tokens(self, text: str) -> int:
        self.load()
        return len(self._counter.encode(text, add_special_tokens=False).ids)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        self.load()
        encodings = self._model.tokenizer.encode_batch(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for batch, hidden, mask in self._model.run(encodings):
            vectors[batch] = self._pool(hidden, mask)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if hidden.ndim == 2:  # the export pools already
            return hidden
        if self.spec.pooling == "cls":
            return hidden[:, 0]
        weights = mask[..., None].astype(hidden.dtype)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
