import pytest


@pytest.fixture
def local_embedder(settings):
    """The real local model, for tests whose meaning depends on real similarities (guards)."""
    from providers import embeddings

    settings.EMBEDDING_PROVIDER = "local"
    settings.EMBEDDING_MODEL = "all-MiniLM-L6-v2"
    yield embeddings.get_embedder()
