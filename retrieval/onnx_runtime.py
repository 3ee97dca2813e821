"""ONNX Runtime sessions and Rust tokenizers, shared by the ONNX embedder and cross-encoder."""

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.providers import ProviderNotAvailable


def inference_session(model_dir: str, *, threads: int, setting: str):
    """A CPU session for `model_dir/model.onnx`; `threads` 0 lets ONNX Runtime use every core."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = max(threads, 0)
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
