import math
import re
from collections.abc import Sequence

from providers.embeddings.base import Embedder
from providers.errors import ProviderError
from providers.openai_client import OpenAIBacked

# Words and single punctuation marks; each is at least one token for a BPE tokenizer.
_TOKENISH = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# Only these models accept `dimensions`; others must natively make EMBEDDING_DIMENSION numbers.
_SHORTENABLE_PREFIXES = ("text-embedding-3",)


class OpenAIEmbedder(OpenAIBacked, Embedder):
    """Embeddings from the OpenAI API or any OpenAI-compatible server (OPENAI_BASE_URL).

    Vectors are normalised here because compatible servers do not all return
    unit vectors. Each request carries at most `batch_size` texts; retryable
    failures are retried per batch (see providers.openai_client).
    """

    provider = "openai"

    def __init__(self, *, model_name: str, dimension: int, batch_size: int = 32, max_tokens: int = 256, **connection):
        super().__init__(**connection)
        self.model_name = model_name
        self.dimension = dimension
        self.max_tokens = max_tokens
        self.batch_size = max(1, batch_size)
        self._encoding = _NOT_LOOKED_UP

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        texts = list(texts)
        vectors = []
        for start in range(0, len(texts), self.batch_size):
            vectors.extend(self._embed_batch(texts[start : start + self.batch_size]))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self._embed_batch([text])[0]

    def count_tokens(self, text: str) -> int:
        """Exact with tiktoken installed; otherwise an estimate that errs high, so chunks stay within limits."""
        if self._encoding is _NOT_LOOKED_UP:
            self._encoding = _tiktoken_encoding(self.model_name)
        if self._encoding is not None:
            return len(self._encoding.encode(text, disallowed_special=()))
        return max(math.ceil(len(_TOKENISH.findall(text)) * 1.3), math.ceil(len(text) / 4))

    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.load()
        options = {"dimensions": self.dimension} if self.model_name.startswith(_SHORTENABLE_PREFIXES) else {}

        def call():
            # "float" explicitly: the SDK otherwise asks for base64, which not every compatible server speaks.
            reply = self._client.embeddings.create(
                model=self.model_name, input=texts, encoding_format="float", **options
            )
            return self._vectors(reply, len(texts))

        return self._with_retries(call, what="OpenAI embeddings")

    def _vectors(self, reply, expected: int) -> list[list[float]]:
        data = getattr(reply, "data", None)
        if not isinstance(data, list) or len(data) != expected:
            count = len(data) if isinstance(data, list) else "no"
            raise ProviderError(f"OpenAI embeddings: malformed response ({count} embeddings for {expected} texts)")
        try:
            items = sorted(data, key=lambda item: item.index)
            indexes = [item.index for item in items]
            vectors = [[float(value) for value in item.embedding] for item in items]
        except (AttributeError, TypeError, ValueError) as exc:
            raise ProviderError(f"OpenAI embeddings: malformed response ({exc.__class__.__name__})") from exc
        if indexes != list(range(expected)):
            raise ProviderError(f"OpenAI embeddings: malformed response (indexes {indexes})")
        return [self._normalised(vector) for vector in vectors]

    def _normalised(self, vector: list[float]) -> list[float]:
        if len(vector) != self.dimension:
            raise ProviderError(
                f"EMBEDDING_DIMENSION is {self.dimension} but {self.model_name} returned "
                f"{len(vector)}-dimensional vectors."
            )
        norm = math.sqrt(sum(value * value for value in vector))
        if not math.isfinite(norm) or norm == 0:
            raise ProviderError(f"OpenAI embeddings: {self.model_name} returned a zero or non-finite vector.")
        return [value / norm for value in vector]


_NOT_LOOKED_UP = object()


def _tiktoken_encoding(model_name: str):
    try:
        import tiktoken

        try:
            return tiktoken.encoding_for_model(model_name)
        except KeyError:
            return tiktoken.get_encoding("cl100k_base")
    except Exception:  # not installed, or its BPE file cannot be fetched offline: estimate instead
        return None
