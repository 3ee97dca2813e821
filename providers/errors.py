"""Errors shared by every provider (embedders, rerankers, generators).

A provider raises `RetryableProviderError` for failures worth trying again
(timeouts, rate limits, 5xx) and `ProviderError` for the rest, so tasks and
views decide about retries without knowing the provider.
"""


class ProviderError(Exception):
    retryable = False


class RetryableProviderError(ProviderError):
    retryable = True


class ProviderTimeout(RetryableProviderError):
    """The provider did not answer in time."""


class ProviderRateLimited(RetryableProviderError):
    """The provider refused for now (HTTP 429)."""


class ProviderNotAvailable(ProviderError):
    """The provider is configured but cannot run here (missing model or package)."""
