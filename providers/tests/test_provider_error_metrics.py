"""An OpenAI-backed provider's failures are counted once each, by kind, however many retries they took."""

import pytest

from providers.embeddings.openai import OpenAIEmbedder
from providers.errors import ProviderError
from testing.metrics import scrape_app
from testing.openai_server import Fail, Malformed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "behaviours, kind",
    [
        ((Fail(500), Fail(502)), "server_error"),
        ((Fail(429), Fail(429)), "rate_limited"),
        ((Fail(400, message="input is too long"),), "client_error"),
        ((Malformed('{"data": ['),), "bad_response"),
    ],
    ids=["5xx", "429", "400", "malformed"],
)
def test_openai_embedder_errors_are_counted_once_by_kind(openai_server, behaviours, kind):
    openai_server.enqueue(*behaviours)
    embedder = OpenAIEmbedder(
        model_name="compatible-embedder",
        dimension=openai_server.dimension,
        api_key="sk-test",
        base_url=openai_server.base_url,
        timeout=5.0,
        max_retries=len(behaviours) - 1,
        retry_base_delay=0.01,
    )
    labels = {"provider": "embedder:openai", "kind": kind}
    before = scrape_app().value("rag_provider_errors_total", **labels)
    with pytest.raises(ProviderError):
        embedder.embed_query("hello")
    assert scrape_app().value("rag_provider_errors_total", **labels) - before == 1


def test_an_unreachable_provider_is_a_connection_error(openai_server):
    base_url = openai_server.base_url
    openai_server.stop()
    embedder = OpenAIEmbedder(
        model_name="compatible-embedder", dimension=8, api_key="sk-test", base_url=base_url, timeout=2.0, max_retries=0
    )
    labels = {"provider": "embedder:openai", "kind": "connection"}
    before = scrape_app().value("rag_provider_errors_total", **labels)
    with pytest.raises(ProviderError):
        embedder.embed_documents(["hello"])
    assert scrape_app().value("rag_provider_errors_total", **labels) - before == 1
