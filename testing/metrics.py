"""Reading /metrics (or a worker's metrics port) in tests: samples by name and labels."""

import urllib.request

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families


class Scrape:
    """One scrape's samples; `value(name, **labels)` sums the samples of `name` whose labels include `labels`."""

    def __init__(self, text: str):
        self.text = text
        self.samples = [
            (sample.name, sample.labels, sample.value)
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        ]

    def value(self, name: str, **labels: str) -> float:
        return sum(
            value
            for sample, sample_labels, value in self.samples
            if sample == name and all(sample_labels.get(key) == wanted for key, wanted in labels.items())
        )

    def has(self, name: str, **labels: str) -> bool:
        return any(
            sample == name and all(sample_labels.get(key) == wanted for key, wanted in labels.items())
            for sample, sample_labels, _ in self.samples
        )


def scrape_app(client: Client | None = None) -> Scrape:
    response = (client or Client()).get("/metrics")
    assert response.status_code == 200, response.content[:500]
    return Scrape(response.content.decode())


def scrape_url(url: str) -> Scrape:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
        return Scrape(response.read().decode())


def streamed_body(response) -> str:
    """A streamed response served the ASGI way (an async iterator), read to its end."""
    from asgiref.sync import async_to_sync

    async def read() -> str:
        return "".join([chunk.decode() async for chunk in response.streaming_content])

    return async_to_sync(read)()
