"""The bundled ONNX models, run for real: bge-small-en-v1.5 and the ms-marco cross-encoder.

The references below call ONNX Runtime directly, one text at a time, so the
providers' batching, padding, pooling and prefixes are checked against the
model itself. Both models are dynamically int8-quantised: activation ranges are
measured per batch, so a text's numbers move slightly with its batch (and its
padding); comparisons across batches allow for that.
"""

import numpy as np
import onnxruntime
import pytest
from django.test import override_settings
from tokenizers import Tokenizer

from providers import embeddings, rerank
from providers.catalogue import embedding_model, reranker_model
from providers.embeddings.onnx import OnnxEmbedder
from providers.errors import ProviderNotAvailable
from providers.rerank.onnx_cross_encoder import OnnxCrossEncoderReranker

pytestmark = pytest.mark.slow

QUERY = "How do I roll back a deployment?"
RELEVANT = "Roll back an application to a previous revision with `argocd app rollback` or `kubectl rollout undo`."
UNRELATED = "Bananas are rich in potassium and grow in tropical climates."
LONG = "Sync waves order the resources of an application; hooks run before and after each wave. " * 40


@pytest.fixture(scope="module")
def bge():
    return OnnxEmbedder(spec=embedding_model("bge-small-en-v1.5"), dimension=384)


@pytest.fixture(scope="module")
def cross_encoder():
    return OnnxCrossEncoderReranker(spec=reranker_model("ms-marco-MiniLM-L-12-v2"))


def session_and_tokenizer(path: str):
    session = onnxruntime.InferenceSession(f"{path}/model.onnx", providers=["CPUExecutionProvider"])
    return session, Tokenizer.from_file(f"{path}/tokenizer.json")


def feeds(encodings):
    return {
        "input_ids": np.array([encoding.ids for encoding in encodings], dtype=np.int64),
        "attention_mask": np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64),
        "token_type_ids": np.array([encoding.type_ids for encoding in encodings], dtype=np.int64),
    }


def reference_bge_vector(text: str) -> np.ndarray:
    """bge's recipe by hand: the [CLS] position of the last hidden state, L2-normalised."""
    session, tokenizer = session_and_tokenizer(embedding_model("bge-small-en-v1.5").path)
    tokenizer.enable_truncation(max_length=512)
    hidden = session.run(None, feeds([tokenizer.encode(text)]))[0]
    cls = hidden[0, 0]
    return cls / np.linalg.norm(cls)


def test_bge_vectors_have_the_models_shape_and_unit_length(bge):
    vectors = np.array(bge.embed_documents([RELEVANT, UNRELATED, LONG, ""]))
    assert vectors.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert bge.embed_documents([]) == []


def test_bge_pools_the_cls_token_as_the_model_does(bge):
    assert np.allclose(bge.embed_documents([RELEVANT])[0], reference_bge_vector(RELEVANT), atol=1e-5)


def test_bge_queries_get_the_models_instruction_prefix(bge):
    query = np.array(bge.embed_query(QUERY))
    assert np.allclose(query, reference_bge_vector(bge.spec.query_prefix + QUERY), atol=1e-5)
    assert not np.allclose(query, bge.embed_documents([QUERY])[0], atol=1e-2)


def test_bge_ranks_by_meaning(bge):
    query = np.array(bge.embed_query(QUERY))
    relevant, unrelated = np.array(bge.embed_documents([RELEVANT, UNRELATED]))
    assert query @ relevant > query @ unrelated + 0.15


def test_bge_batches_keep_each_texts_place(bge):
    # Sorted by length inside, the vectors still come back in the order given.
    texts = [UNRELATED, LONG, RELEVANT, "argo"]
    batched = np.array(bge.embed_documents(texts))
    alone = np.array([bge.embed_documents([text])[0] for text in texts])
    assert np.all(np.sum(batched * alone, axis=1) > 0.99)
    assert np.argmax(batched @ alone.T, axis=1).tolist() == [0, 1, 2, 3]


def test_bge_runs_batches_in_parallel_and_keeps_each_texts_place():
    texts = [f"{RELEVANT} {index}" if index % 3 else f"{LONG[: 40 * index]} {UNRELATED}" for index in range(40)]
    parallel = OnnxEmbedder(spec=embedding_model("bge-small-en-v1.5"), dimension=384, batch_size=4, threads=2)
    serial = OnnxEmbedder(spec=embedding_model("bge-small-en-v1.5"), dimension=384, batch_size=4, threads=1)
    assert parallel._model.threads == 2 and serial._model.threads == 1

    together, alone = np.array(parallel.embed_documents(texts)), np.array(serial.embed_documents(texts))

    assert parallel._model._pool is not None and serial._model._pool is None
    assert np.all(np.sum(together * alone, axis=1) > 0.99)
    assert np.argmax(together @ alone.T, axis=1).tolist() == list(range(40))


def test_bge_counts_tokens_with_its_own_tokenizer_without_truncating(bge):
    _, tokenizer = session_and_tokenizer(bge.spec.path)
    assert bge.count_tokens("hello world") == 2  # no [CLS]/[SEP]
    assert bge.count_tokens("Kubernetes") == len(tokenizer.encode("Kubernetes", add_special_tokens=False).ids) > 1
    assert bge.count_tokens(LONG) > 512  # the chunker must see the real length


def test_bge_refuses_a_dimension_it_does_not_make():
    with pytest.raises(ProviderNotAvailable, match="EMBEDDING_DIMENSION"):
        OnnxEmbedder(spec=embedding_model("bge-small-en-v1.5"), dimension=768).load()


@override_settings(EMBEDDING_PROVIDER="local", EMBEDDING_MODEL="bge-small-en-v1.5", ONNX_THREADS=1)
def test_local_provider_picks_the_onnx_runtime_from_the_catalogue():
    embedder = embeddings.get_embedder()
    assert isinstance(embedder, OnnxEmbedder) and embedder._model.threads == 1
    assert embedder.model_name == "bge-small-en-v1.5" and embedder.max_tokens == 512


def test_cross_encoder_scores_the_relevant_passage_highest(cross_encoder):
    scores = cross_encoder.rerank(QUERY, [UNRELATED, RELEVANT, LONG])
    assert len(scores) == 3
    assert scores[1] > max(scores[0], scores[2]) + 5  # logits: far apart for a clear case


def test_cross_encoder_without_padding_scores_as_padding_to_512_does(cross_encoder):
    passages = [RELEVANT, UNRELATED, LONG]
    session, tokenizer = session_and_tokenizer(cross_encoder.spec.path)
    assert tokenizer.padding["length"] == 512  # the export pads everything to 512 by default
    padded = session.run(None, feeds(tokenizer.encode_batch([(QUERY, passage) for passage in passages])))[0][:, 0]

    ours = np.array(cross_encoder.rerank(QUERY, passages))

    assert cross_encoder._model.tokenizer.padding is None  # batches are padded to their longest pair only
    assert np.argsort(ours).tolist() == np.argsort(padded).tolist()
    assert np.allclose(ours, padded, atol=0.5)  # int8 activation ranges shift a little with padding


def test_cross_encoder_truncates_long_pairs_and_handles_none(cross_encoder):
    assert cross_encoder.rerank(QUERY, []) == []
    (score,) = cross_encoder.rerank(QUERY, [LONG * 5])
    assert np.isfinite(score)


@override_settings(RERANKER_PROVIDER="cross-encoder", RERANKER_MODEL="")
def test_cross_encoder_provider_resolves_the_bundled_model():
    reranker = rerank.get_reranker()
    assert isinstance(reranker, OnnxCrossEncoderReranker)
    assert reranker.model_name == "ms-marco-MiniLM-L-12-v2"
