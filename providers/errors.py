"""Errors shared by every provider (embedders, rerankers, generators).

A provider raises `RetryableProviderError` for failures worth trying again
(timeouts, rate limits, 5xx) and `ProviderError` for the rest, so tasks and
views decide about retries without knowing the provider. Each class has a
`kind`, the label rag_provider_errors_total counts it under.
"""


class ProviderError(Exception):
    retryable = False
    kind = "bad_response"


class RetryableProviderError(ProviderError):
    retryable = True
    kind = "server_error"


class ProviderTimeout(RetryableProviderError):
    """The provider did not answer in time."""

    kind = "timeout"


class ProviderRateLimited(RetryableProviderError):
    """The provider refused for now (HTTP 429)."""

    kind = "rate_limited"


class ProviderConnectionError(RetryableProviderError):
    """The provider could not be reached."""

    kind = "connection"


class ProviderRequestRejected(ProviderError):
    """The provider refused the request itself (HTTP 4xx other than 429): configuration, not chance."""

    kind = "client_error"


class ProviderNotAvailable(ProviderError):
    """The provider is configured but cannot run here (missing model or package)."""

    kind = "not_available"
