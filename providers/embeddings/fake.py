import hashlib
import math
import re
from collections.abc import Sequence

from providers.embeddings.base import Embedder

_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder(Embedder):
    """Deterministic hashed bag of words: fast, no model, for unit tests.

    Texts that share words get similar vectors, so ranking tests still mean
    something; nothing here is semantic.
    """

    provider = "fake"

    def __init__(self, *, dimension: int, model_name: str = "fake-hash", max_tokens: int = 256):
        self.model_name = model_name
        self.dimension = dimension
        self.max_tokens = max_tokens

    def load(self) -> None:
        return None

    @property
    def is_loaded(self) -> bool:
        return True

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))

    def _embed(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimension
            vector[index] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(value * value for value in vector))
        if norm == 0:
            vector[0] = 1.0
            return vector
        return [value / norm for value in vector]
