"""System checks for the models: each names the setting to change and the package to install."""

from django.conf import settings
from django.core import checks

from providers.catalogue import embedding_model, reranker_model
from providers.errors import ProviderNotAvailable

RERANK_MODES = ("replace", "fuse")


@checks.register(checks.Tags.compatibility)
def check_models(app_configs=None, **kwargs):
    """The configured local models can be found offline, and fit the other settings."""
    errors = []
    if settings.EMBEDDING_PROVIDER == "local":
        try:
            spec = embedding_model(settings.EMBEDDING_MODEL)
        except ProviderNotAvailable as exc:
            errors.append(checks.Error(str(exc), id="retrieval.E001"))
        else:
            if spec.dimension and spec.dimension != settings.EMBEDDING_DIMENSION:
                errors.append(
                    checks.Error(
                        f"EMBEDDING_DIMENSION is {settings.EMBEDDING_DIMENSION} but EMBEDDING_MODEL={spec.name} "
                        f"makes {spec.dimension}-dimensional vectors.",
                        hint="Unset EMBEDDING_DIMENSION to follow the model.",
                        id="retrieval.E002",
                    )
                )
            if settings.CHUNK_MAX_TOKENS > spec.max_tokens:
                errors.append(
                    checks.Warning(
                        f"CHUNK_MAX_TOKENS is {settings.CHUNK_MAX_TOKENS} but EMBEDDING_MODEL={spec.name} reads at "
                        f"most {spec.max_tokens} tokens: the end of longer chunks is never embedded.",
                        hint="Unset CHUNK_MAX_TOKENS to follow the model.",
                        id="retrieval.W001",
                    )
                )
    if settings.RERANKER_PROVIDER == "cross-encoder":
        try:
            reranker_model(settings.RERANKER_MODEL)
        except ProviderNotAvailable as exc:
            errors.append(checks.Error(str(exc), id="retrieval.E003"))
    if settings.RERANK_MODE not in RERANK_MODES:
        errors.append(
            checks.Error("RERANK_MODE has an unknown value.", hint="Use replace or fuse.", id="retrieval.E004")
        )
    return errors
