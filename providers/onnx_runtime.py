"""ONNX Runtime sessions and Rust tokenizers, shared by the ONNX embedder and cross-encoder."""

import os
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from providers.errors import ProviderNotAvailable


def inference_session(model_dir: str, *, setting: str):
    """A CPU session for `model_dir/model.onnx` that runs each call on the calling thread alone.

    Cores are used by running several batches at once (OnnxModel), not by splitting each
    operator across threads: on bge-small that is ~20% faster on 2 idle cores and ~10% less
    CPU per text, and no thread waits at a barrier for one the web server has taken the core
    from. A short query runs faster on one thread too (2.0 against 2.8 ms).
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    try:
        return onnxruntime.InferenceSession(
            str(Path(model_dir) / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # a corrupt or foreign file: name the setting, keep the cause
        raise ProviderNotAvailable(f"{setting}: {model_dir}/model.onnx could not be loaded: {exc}") from exc


def tokenizer(model_dir: str, *, max_tokens: int | None):
    """The model's own tokenizer, truncating at `max_tokens` (None: not at all), never padding.

    Exports often pad every input to the model's full length; padding per batch
    to its longest input instead is several times faster and gives the same scores.
    """
    from tokenizers import Tokenizer

    loaded = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    loaded.no_padding()
    if max_tokens is None:
        loaded.no_truncation()
    else:
        loaded.enable_truncation(max_length=max_tokens)
    return loaded


def model_inputs(encodings: Sequence) -> dict[str, np.ndarray]:
    """int64 arrays of the batch, right-padded with zeros to its longest encoding."""
    width = max(len(encoding.ids) for encoding in encodings)
    arrays = {
        "input_ids": np.zeros((len(encodings), width), dtype=np.int64),
        "attention_mask": np.zeros((len(encodings), width), dtype=np.int64),
        "token_type_ids": np.zeros((len(encodings), width), dtype=np.int64),
    }
    for row, encoding in enumerate(encodings):
        length = len(encoding.ids)
        arrays["input_ids"][row, :length] = encoding.ids
        arrays["attention_mask"][row, :length] = encoding.attention_mask
        arrays["token_type_ids"][row, :length] = encoding.type_ids
    return arrays


def length_sorted_batches(
    lengths: Sequence[int], *, batch_size: int, batch_tokens: int, at_least: int = 1
) -> list[list[int]]:
    """Indexes grouped into batches of similar length, so little compute goes to padding.

    A batch holds at most `batch_size` inputs and `batch_tokens` padded tokens:
    on a CPU, attention over a few long inputs at a time is faster than over many.
    With `at_least` batches where there are that many inputs, so every core gets one.
    """
    batch_size = max(1, min(batch_size, -(-len(lengths) // max(at_least, 1))))
    order = sorted(range(len(lengths)), key=lambda index: -lengths[index])
    batches: list[list[int]] = []
    for index in order:
        # Longest first, so the batch's first input sets its padded width.
        if (
            batches
            and len(batches[-1]) < batch_size
            and (len(batches[-1]) + 1) * lengths[batches[-1][0]] <= batch_tokens
        ):
            batches[-1].append(index)
        else:
            batches.append([index])
    return batches


class OnnxModel:
    """An ONNX model and its tokenizer, loaded once on first use (safe across threads),
    run over encodings in length-sorted batches, `threads` of them at once (0: one per
    core). The embedder and the cross-encoder each hold one and differ only in what they
    make of the outputs."""

    def __init__(
        self, *, path: str, max_tokens: int, setting: str, threads: int = 0, batch_size: int = 32, batch_tokens: int
    ):
        self.path = path
        self.max_tokens = max_tokens
        self.setting = setting
        self.threads = threads if threads > 0 else (os.cpu_count() or 1)
        self.batch_size = max(1, batch_size)
        self.batch_tokens = batch_tokens
        self.session = None
        self.tokenizer = None
        self._input_names: list[str] = []
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    @property
    def is_loaded(self) -> bool:
        return self.session is not None

    def load(self) -> None:
        if self.session is not None:
            return
        with self._lock:
            if self.session is not None:
                return
            session = inference_session(self.path, setting=self.setting)
            self.tokenizer = tokenizer(self.path, max_tokens=self.max_tokens)
            self._input_names = [model_input.name for model_input in session.get_inputs()]
            if self.threads > 1:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx")
            self.session = session

    def run(self, encodings: Sequence) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """(indexes into `encodings`, the model's first output, the attention mask) per batch.

        Up to `threads` batches run at once (ONNX Runtime lets go of the GIL); no more are
        in flight than that, so a large call holds a few batches' outputs, not all of them.
        """
        self.load()
        lengths = [len(encoding.ids) for encoding in encodings]
        batches = length_sorted_batches(
            lengths, batch_size=self.batch_size, batch_tokens=self.batch_tokens, at_least=self.threads
        )
        if self._pool is None or len(batches) == 1:
            for batch in batches:
                yield self._run_batch(encodings, batch)
            return
        in_flight: deque = deque()
        for batch in batches:
            in_flight.append(self._pool.submit(self._run_batch, encodings, batch))
            if len(in_flight) >= self.threads:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()

    def _run_batch(self, encodings: Sequence, batch: list[int]) -> tuple[list[int], np.ndarray, np.ndarray]:
        arrays = model_inputs([encodings[index] for index in batch])
        output = self.session.run(None, {name: arrays[name] for name in self._input_names})[0]
        return batch, output, arrays["attention_mask"]
