"""The shared cache (Redis) where it is an aid, not a record: when it cannot be reached,
a read misses and a write is skipped, with a warning, and the request goes on."""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)


def cache_get(key: str):
    try:
        return cache.get(key)
    except CACHE_ERRORS as exc:
        logger.warning("cache unavailable (%s): reading %s missed", exc.__class__.__name__, key.split(":", 1)[0])
        return None


def cache_set(key: str, value, *, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except CACHE_ERRORS as exc:
        logger.warning("cache unavailable (%s): not stored", exc.__class__.__name__)


def cache_add(key: str, value, *, timeout: int) -> bool:
    """Store `key` only if it is absent; whether it was. True when the cache cannot be reached,
    so a caller that does work only once per key still does it."""
    try:
        return bool(cache.add(key, value, timeout=timeout))
    except CACHE_ERRORS as exc:
        logger.warning("cache unavailable (%s): %s taken as absent", exc.__class__.__name__, key.split(":", 1)[0])
        return True


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except CACHE_ERRORS as exc:
        logger.warning("cache unavailable (%s): %s not deleted", exc.__class__.__name__, key.split(":", 1)[0])
