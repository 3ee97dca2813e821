"""Metrics for every provider, whichever subclass: errors by kind, and embedding batches.

Each provider interface (Embedder, Reranker, QueryRewriter) wraps its subclasses' public
methods as they are defined (`__init_subclass__`), so a new provider is measured without
remembering to be. A subclass method calling its parent's is measured once, by the outer call.
"""

import functools
import time
from contextvars import ContextVar

from core.metrics import record_embedding_batch, record_provider_error
from providers.errors import ProviderError

_measuring: ContextVar[bool] = ContextVar("provider_call_measured", default=False)


def instrument_methods(cls, *, component: str, methods: tuple[str, ...], batches: str = "") -> None:
    """Wrap `methods` defined by `cls` itself; `batches` names the one whose calls are embedding batches."""
    for name in methods:
        method = cls.__dict__.get(name)
        if method is None or getattr(method, "__isabstractmethod__", False) or hasattr(method, "__wrapped__"):
            continue
        setattr(cls, name, _measured(method, component=component, batch=name == batches))


def _measured(method, *, component: str, batch: bool):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if _measuring.get():
            return method(self, *args, **kwargs)
        token = _measuring.set(True)
        started = time.perf_counter()
        try:
            result = method(self, *args, **kwargs)
        except ProviderError as exc:
            record_provider_error(provider=f"{component}:{getattr(self, 'provider', '') or 'unknown'}", exc=exc)
            raise
        finally:
            _measuring.reset(token)
        if batch:
            texts = args[0] if args else kwargs.get("texts", ())
            record_embedding_batch(
                model=getattr(self, "model_name", "") or "unknown",
                size=len(texts),
                seconds=time.perf_counter() - started,
            )
        return result

    return wrapper
