"""OpenAIEmbedder against a real loopback server speaking the OpenAI API (no mocks of the client)."""

import math
import time

import pytest
from django.test import override_settings

from providers import embeddings
from providers.embeddings.openai import OpenAIEmbedder
from providers.errors import ProviderError, ProviderNotAvailable, RetryableProviderError
from providers.openai_client import backoff_delay
from testing.openai_server import Embed, Fail, Hang, Malformed, Raw


@pytest.fixture
def make_embedder(openai_server):
    def make(**overrides):
        options = {
            "model_name": "compatible-embedder",
            "dimension": openai_server.dimension,
            "api_key": "sk-test-123",
            "base_url": openai_server.base_url,
            "timeout": 5.0,
            "max_retries": 2,
            "retry_base_delay": 0.01,
        }
        return OpenAIEmbedder(**{**options, **overrides})

    return make


def unit(vector):
    norm = math.sqrt(sum(value * value for value in vector))
    return [value / norm for value in vector]


def test_round_trip_keeps_input_order_and_normalises(openai_server, make_embedder):
    texts = ["sync waves order", "pizza dough", "rollback a deployment", "kubernetes"]
    openai_server.enqueue(Embed(reverse=True), Embed(reverse=True))
    embedder = make_embedder(batch_size=3)

    vectors = embedder.embed_documents(texts)

    assert len(vectors) == len(texts)
    for text, vector in zip(texts, vectors, strict=True):
        assert vector == pytest.approx(unit(openai_server.vector(text, openai_server.dimension)))
        assert math.isclose(math.sqrt(sum(value * value for value in vector)), 1.0)
    bodies = [request.body for request in openai_server.requests_to("embeddings")]
    assert [body["input"] for body in bodies] == [texts[:3], texts[3:]]
    assert all(body["model"] == "compatible-embedder" and body["encoding_format"] == "float" for body in bodies)
    assert all("dimensions" not in body for body in bodies)


def test_query_embedding_and_authorization_header(openai_server, make_embedder):
    embedder = make_embedder()
    assert not embedder.is_loaded

    vector = embedder.embed_query("how do I roll back")

    assert embedder.is_loaded
    assert vector == pytest.approx(unit(openai_server.vector("how do I roll back", openai_server.dimension)))
    (request,) = openai_server.requests
    assert request.path == "/v1/embeddings"
    assert request.headers["authorization"] == "Bearer sk-test-123"
    assert embedder.embed_documents([]) == []
    assert len(openai_server.requests) == 1


def test_text_embedding_3_models_are_asked_for_the_configured_dimension(openai_server, make_embedder):
    embedder = make_embedder(model_name="text-embedding-3-small", dimension=6)

    assert len(embedder.embed_query("hello")) == 6
    assert openai_server.requests[0].body["dimensions"] == 6


def test_rate_limit_is_retried_then_succeeds(openai_server, make_embedder):
    openai_server.enqueue(Fail(429, headers={"retry-after-ms": "10"}))

    vector = make_embedder().embed_query("hello")

    assert len(vector) == openai_server.dimension
    assert len(openai_server.requests) == 2


def test_server_errors_beyond_max_retries_are_retryable(openai_server, make_embedder):
    openai_server.enqueue(Fail(500), Fail(502), Fail(503), "never reached")

    with pytest.raises(RetryableProviderError, match="HTTP 503"):
        make_embedder(max_retries=2).embed_query("hello")

    assert len(openai_server.requests) == 3


def test_bad_request_fails_at_once(openai_server, make_embedder):
    openai_server.enqueue(Fail(400, message="input is too long"))

    with pytest.raises(ProviderError, match="input is too long") as caught:
        make_embedder().embed_query("hello")

    assert not caught.value.retryable
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize(
    "behaviour",
    [
        Malformed('{"data": ['),
        Malformed("<html>Bad gateway</html>", content_type="text/html"),
        Raw({"object": "list", "data": "nope"}),
        Raw({"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": ["x", "y"]}]}),
        Raw({"object": "list", "data": [{"object": "embedding", "index": 7, "embedding": [1.0] * 8}]}),
    ],
    ids=["broken-json", "html", "data-not-a-list", "not-numbers", "bad-index"],
)
def test_malformed_bodies_are_permanent_errors(openai_server, make_embedder, behaviour):
    openai_server.enqueue(behaviour)

    with pytest.raises(ProviderError, match="malformed") as caught:
        make_embedder().embed_query("hello")

    assert not caught.value.retryable
    assert len(openai_server.requests) == 1


def test_hanging_server_times_out_as_retryable(openai_server, make_embedder):
    openai_server.enqueue(Hang(30))
    started = time.monotonic()

    with pytest.raises(RetryableProviderError, match="timed out"):
        make_embedder(timeout=0.5, max_retries=0).embed_query("hello")

    assert time.monotonic() - started < 5


def test_wrong_dimension_names_the_setting(openai_server, make_embedder):
    openai_server.enqueue(Embed(dimension=5))

    with pytest.raises(ProviderError, match="EMBEDDING_DIMENSION") as caught:
        make_embedder().embed_query("hello")

    assert not caught.value.retryable


def test_token_count_is_an_estimate_that_errs_high(make_embedder):
    embedder = make_embedder()

    assert embedder.count_tokens("") == 0
    assert embedder.count_tokens("hello world") >= 2
    assert embedder.count_tokens("deploy(app).rollback()") >= 8
    assert embedder.count_tokens("word " * 100) >= 130


def test_without_key_or_base_url_it_is_not_available():
    embedder = OpenAIEmbedder(model_name="text-embedding-3-small", dimension=8, api_key="", base_url=None)

    with pytest.raises(ProviderNotAvailable, match="OPENAI_API_KEY"):
        embedder.load()


def test_backoff_grows_with_jitter_and_is_capped():
    for attempt in range(6):
        step = min(8.0, 0.5 * 2**attempt)
        delays = [backoff_delay(attempt, base_delay=0.5, max_delay=8.0) for _ in range(50)]
        assert all(step / 2 <= delay <= step for delay in delays)
    assert len(set(delays)) > 1


def test_get_embedder_builds_the_openai_provider_from_settings(openai_server):
    with override_settings(
        EMBEDDING_PROVIDER="openai",
        EMBEDDING_MODEL="nomic-embed-text",
        EMBEDDING_DIMENSION=openai_server.dimension,
        OPENAI_API_KEY="sk-from-settings",
        OPENAI_BASE_URL=openai_server.base_url,
        OPENAI_TIMEOUT_SECONDS=5.0,
        OPENAI_MAX_RETRIES=1,
    ):
        embedder = embeddings.get_embedder()
        assert isinstance(embedder, OpenAIEmbedder)
        assert (embedder.provider, embedder.model_name, embedder.max_retries) == ("openai", "nomic-embed-text", 1)
        assert len(embedder.embed_query("hello")) == openai_server.dimension

    assert openai_server.requests[0].headers["authorization"] == "Bearer sk-from-settings"
    assert openai_server.requests[0].body["model"] == "nomic-embed-text"
