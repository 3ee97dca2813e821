"""Models load off the request path; /health names each one until it is ready."""

import logging
import threading

from providers.embeddings import get_embedder
from providers.rerank import get_reranker

logger = logging.getLogger(__name__)

# The reranker is only checked when one is configured (get_reranker() is not None).
MODELS = {"embedding_model": get_embedder, "reranker": get_reranker}

_lock = threading.Lock()
_state: dict = {"thread": None, "errors": {}}


def model_problems() -> dict[str, str]:
    """Name -> what is wrong, for each configured model that is not ready (loading starts if needed)."""
    problems = {}
    for name, get_model in MODELS.items():
        try:
            model = get_model()
        except Exception as exc:  # a misconfigured provider: report it, do not fail the probe
            problems[name] = str(exc)
            continue
        if model is not None and not model.is_loaded:
            problems[name] = _state["errors"].get(name) or "loading"
    if problems:
        warm_up_in_background()
    return problems


def configured_models() -> list[str]:
    names = []
    for name, get_model in MODELS.items():
        try:
            if get_model() is not None:
                names.append(name)
        except Exception:
            names.append(name)
    return names


def warm_up_in_background() -> None:
    with _lock:
        thread = _state["thread"]
        if thread is not None and thread.is_alive():
            return
        thread = threading.Thread(target=_warm_up, name="model-warm-up", daemon=True)
        _state["thread"] = thread
        thread.start()


def _warm_up() -> None:
    for name, get_model in MODELS.items():
        try:
            model = get_model()
            if model is not None:
                model.load()
            _state["errors"].pop(name, None)
        except Exception as exc:  # reported by /health, never raised into a request
            logger.exception("%s failed to load", name)
            _state["errors"][name] = str(exc)
