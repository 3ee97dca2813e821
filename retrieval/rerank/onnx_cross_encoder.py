import threading
from collections.abc import Sequence

import numpy as np

from retrieval.models_catalogue import ModelSpec
from retrieval.onnx_runtime import inference_session, length_sorted_batches, model_inputs, tokenizer
from retrieval.rerank.base import Reranker


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
        self.batch_size = max(1, batch_size)
        self.batch_tokens = batch_tokens
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._input_names: list[str] = []
        self._lock = threading.Lock()

    def load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            session = inference_session(self.spec.path, threads=self.threads, setting="RERANKER_MODEL")
            self._tokenizer = tokenizer(self.spec.path, max_tokens=self.spec.max_tokens)
            self._input_names = [model_input.name for model_input in session.get_inputs()]
            self._session = session

    @property
    def is_loaded(self) -> bool:
        return self._session is not None

    def rerank(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        self.load()
        encodings = self._tokenizer.encode_batch([(query, passage) for passage in passages])
        scores = np.zeros(len(passages), dtype=np.float32)
        for batch in length_sorted_batches(
            [len(encoding.ids) for encoding in encodings], batch_size=self.batch_size, batch_tokens=self.batch_tokens
        ):
            arrays = model_inputs([encodings[index] for index in batch])
            logits = self._session.run(None, {name: arrays[name] for name in self._input_names})[0]
            scores[batch] = logits.reshape(len(batch), -1)[:, 0]
        return [float(score) for score in scores]
