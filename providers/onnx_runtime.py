"""ONNX Runtime sessions and Rust tokenizers, shared by the ONNX embedder and cross-encoder."""

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from providers.errors import ProviderNotAvailable


def inference_session(model_dir: str, *, threads: int, setting: str):
    """A CPU session for `model_dir/model.onnx`; `threads` 0 lets ONNX Runtime use every core."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(threads, 0)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Threads that spin while they wait for work take the cores from the web server and the other
    # workers on the same machine; sleeping ones cost the encoder little.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
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


def length_sorted_batches(lengths: Sequence[int], *, batch_size: int, batch_tokens: int) -> list[list[int]]:
    """Indexes grouped into batches of similar length, so little compute goes to padding.

    A batch holds at most `batch_size` inputs and `batch_tokens` padded tokens:
    on a CPU, attention over a few long inputs at a time is faster than over many.
    """
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
    run over encodings in length-sorted batches. The embedder and the cross-encoder
    each hold one and differ only in what they make of the outputs."""

    def __init__(
        self, *, path: str, max_tokens: int, setting: str, threads: int = 0, batch_size: int = 32, batch_tokens: int
    ):
        self.path = path
        self.max_tokens = max_tokens
        self.setting = setting
        self.threads = threads
        self.batch_size = max(1, batch_size)
        self.batch_tokens = batch_tokens
        self.session = None
        self.tokenizer = None
        self._input_names: list[str] = []
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
            session = inference_session(self.path, threads=self.threads, setting=self.setting)
            self.tokenizer = tokenizer(self.path, max_tokens=self.max_tokens)
            self._input_names = [model_input.name for model_input in session.get_inputs()]
            self.session = session

    def run(self, encodings: Sequence) -> Iterator[tuple[list[int], np.ndarray, np.ndarray]]:
        """(indexes into `encodings`, the model's first output, the attention mask) per batch."""
        self.load()
        lengths = [len(encoding.ids) for encoding in encodings]
        for batch in length_sorted_batches(lengths, batch_size=self.batch_size, batch_tokens=self.batch_tokens):
            arrays = model_inputs([encodings[index] for index in batch])
            output = self.session.run(None, {name: arrays[name] for name in self._input_names})[0]
            yield batch, output, arrays["attention_mask"]
