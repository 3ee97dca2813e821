"""Pytest fixtures shared across apps; registered by the root conftest.py."""

import pytest

from ragsite.testing.openai_server import OpenAITestServer


@pytest.fixture
def openai_server():
    """A started OpenAITestServer (`.base_url` ends in /v1), stopped after the test."""
    with OpenAITestServer() as server:
        yield server
