import math

import pytest
from django.test import override_settings

from providers import embeddings
from providers.catalogue import embedding_model
from providers.embeddings.fake import FakeEmbedder
from providers.embeddings.local import LocalEmbedder
from providers.errors import ProviderNotAvailable


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_fake_embedder_is_deterministic_normalised_and_word_sensitive():
    embedder = FakeEmbedder(dimension=64)
    first, again, related, other = embedder.embed_documents(
        ["sync waves order", "sync waves order", "waves of sync", "pizza dough recipe"]
    )
    assert first == again
    assert math.isclose(math.sqrt(sum(value * value for value in first)), 1.0)
    assert cosine(first, related) > cosine(first, other)
    assert embedder.embed_documents([""])[0][0] == 1.0  # empty text still gets a unit vector


def test_unknown_model_name_names_the_setting():
    with pytest.raises(ProviderNotAvailable, match="EMBEDDING_MODEL"):
        embedding_model("no-such-model")


@override_settings(EMBEDDING_PROVIDER="bogus")
def test_unknown_provider_is_refused():
    with pytest.raises(ProviderNotAvailable, match="EMBEDDING_PROVIDER"):
        embeddings.get_embedder()


@pytest.mark.slow
def test_local_model_embeds_meaning_offline():
    embedder = LocalEmbedder(spec=embedding_model("all-MiniLM-L6-v2"), dimension=384)
    assert not embedder.is_loaded
    query = embedder.embed_query("How do I roll back a deployment?")
    near, far = embedder.embed_documents(
        ["Rolling back an application to a previous revision", "Bananas are rich in potassium"]
    )
    assert embedder.is_loaded and len(query) == 384
    assert cosine(query, near) > cosine(query, far) + 0.2
    assert embedder.count_tokens("hello world") == 2


def test_local_model_with_wrong_dimension_fails_clearly():
    embedder = LocalEmbedder(spec=embedding_model("all-MiniLM-L6-v2"), dimension=768)
    with pytest.raises(ProviderNotAvailable, match="EMBEDDING_DIMENSION"):
        embedder.load()
