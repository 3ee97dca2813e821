"""One registry of provider factories: each builds the configured provider once per process.

A factory is cached until a setting it reads changes: Django sends `setting_changed`
whenever settings are overridden (`override_settings`, pytest's `settings` fixture),
and every factory that reads that setting forgets its provider, so the next call
builds it from the new configuration. Nothing resets a cache by hand.
"""

import functools
from collections.abc import Callable
from typing import TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver

T = TypeVar("T")

# Connection settings every OpenAI-backed provider reads.
OPENAI_SETTINGS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_TIMEOUT_SECONDS", "OPENAI_MAX_RETRIES")

_factories: list[tuple[Callable, frozenset[str]]] = []


def provider_factory(*setting_names: str) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Cache a provider factory, built again when one of `setting_names` changes."""

    def register(factory: Callable[[], T]) -> Callable[[], T]:
        cached = functools.cache(factory)
        _factories.append((cached, frozenset(setting_names)))
        return cached

    return register


@receiver(setting_changed)
def reset_providers(*, setting: str, **kwargs) -> None:
    for cached, setting_names in _factories:
        if setting in setting_names:
            cached.cache_clear()
