from collections.abc import Sequence

import numpy as np

from providers.catalogue import ModelSpec
from providers.onnx_runtime import OnnxModel
from providers.rerank.base import Reranker


class OnnxCrossEncoderReranker(Reranker):
    """A cross-encoder run by ONNX Runtime: reads `[CLS] query [SEP] passage [SEP]` and
    scores the pair with one logit (higher is more relevant).

    Pairs are truncated to the model's longest input (the passage gives way
    first) and padded per batch, never to the full 512 tokens.
    """

    provider = "cross-encoder"
    runtime = "onnx"

    def __init__(self, *, spec: ModelSpec, batch_size: int = 16, batch_tokens: int = 2048, threads: int = 0):
        self.spec = spec
        self.model_name = spec.name
        self._model = OnnxModel(
            path=spec.path,
            max_tokens=spec.max_tokens,
            setting="RERANKER_MODEL",
            threads=threads,
            batch_size=batch_size,
            batch_tokens=batch_tokens,
        )

    def load(self) -> None:
        self._model.load()

    @property
    def is_loaded(self) -> bool:
        return self._model.is_loaded

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        self._model.load()
        encodings = self._model.tokenizer.encode_batch([(query, passage) for passage in passages])
        scores = np.zeros(len(passages), dtype=np.float32)
        for batch, logits, _ in self._model.run(encodings):
            scores[batch] = logits.reshape(len(batch), -1)[:, 0]
        return [float(score) for score in scores]
