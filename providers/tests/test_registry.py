"""Provider factories build once per process, and again when a setting they read changes."""

from django.test import override_settings

from providers.embeddings import get_embedder
from providers.generators import get_generator


def test_a_provider_is_built_once_and_again_after_a_relevant_setting_changes(settings):
    first = get_embedder()
    assert get_embedder() is first

    settings.SEARCH_CANDIDATES = 7  # not read by the embedder: the same instance
    assert get_embedder() is first

    with override_settings(EMBEDDING_MODEL="fake-other"):
        other = get_embedder()
        assert other is not first and other.model_name == "fake-other"
    restored = get_embedder()
    assert restored is not other and restored.model_name == first.model_name


def test_a_provider_holding_another_is_rebuilt_with_it(settings):
    settings.GENERATOR_PROVIDER = "extractive"
    generator = get_generator()
    settings.EMBEDDING_MODEL = "fake-other"
    assert get_generator() is not generator
    assert get_generator().model_name == "extractive/fake-other"
