"""Generators: extractive with the fake embedder, the fake one, and OpenAI over a real loopback server."""

import json
import time
from dataclasses import dataclass

import pytest
from django.test import override_settings

from providers import generators
from providers.embeddings.fake import FakeEmbedder
from providers.errors import ProviderError, ProviderNotAvailable, RetryableProviderError
from providers.generators.base import Passage, Turn, Usage
from providers.generators.extractive import ExtractiveGenerator, prose_sentences
from providers.generators.fake import FakeGenerator
from providers.generators.openai import SYSTEM_PROMPT, OpenAIGenerator
from testing.openai_server import Drop, Fail, Hang, Malformed, Reply


def passage(number, title, text, heading_path=()):
    return Passage(
        number=number,
        chunk_id=100 + number,
        document_id=f"doc-{number}",
        title=title,
        heading_path=tuple(heading_path),
        text=text,
    )


PASSAGES = [
    passage(1, "Fruit", "Bananas are rich in potassium and vitamin B6. They grow in tropical climates everywhere."),
    passage(
        2,
        "Runbook",
        "To roll back a deployment, run `kubectl rollout undo deployment/web`. "
        "The previous ReplicaSet is then scaled up again.",
        ["Operations", "Rollbacks"],
    ),
    passage(3, "Argo CD", "Argo CD sync waves order the resources of an application. Lower waves are applied first."),
]
QUESTION = "How do I roll back a deployment?"


def texts(chunks):
    return [chunk.text for chunk in chunks]


@dataclass
class Answer:
    text: str
    usage: Usage


def generate(generator, **arguments) -> Answer:
    """A generator's whole answer: its stream joined, and the usage of its last chunk."""
    chunks = list(generator.stream(**arguments))
    return Answer(text="".join(texts(chunks)), usage=chunks[-1].usage)


# --- Extractive ---------------------------------------------------------------------------------


def test_extractive_answers_with_the_matching_sentence_and_cites_its_passage():
    generator = ExtractiveGenerator()

    answer = generate(generator, question=QUESTION, passages=PASSAGES)

    assert answer.text == "To roll back a deployment, run `kubectl rollout undo deployment/web` [2]."
    assert generator.provider == "extractive"
    assert generator.model_name == "extractive/fake-hash"


def test_extractive_is_deterministic():
    first = generate(ExtractiveGenerator(), question=QUESTION, passages=PASSAGES)
    again = generate(ExtractiveGenerator(embedder=FakeEmbedder(dimension=384)), question=QUESTION, passages=PASSAGES)

    assert first == again


def test_extractive_streams_word_by_word_and_the_stream_is_the_answer():
    generator = ExtractiveGenerator()

    chunks = list(generator.stream(question=QUESTION, passages=PASSAGES))

    assert len(chunks) > 1
    assert "".join(texts(chunks)) == generate(generator, question=QUESTION, passages=PASSAGES).text
    assert all(chunk.usage is None for chunk in chunks[:-1])
    words_in = len(QUESTION.split()) + sum(len(item.text.split()) for item in PASSAGES)
    assert chunks[-1].usage == Usage(tokens_in=words_in, tokens_out=len("".join(texts(chunks)).split()))


def test_extractive_keeps_close_sentences_in_reading_order_without_duplicates():
    passages = [
        passage(1, "Waves", "Argo CD sync waves order the resources of an application during a sync."),
        passage(2, "Fruit", "Bananas are rich in potassium and vitamin B6."),
        passage(3, "Hooks", "Argo CD sync hooks run jobs before or after the sync of an application."),
        passage(4, "Copy", "Argo CD sync waves order the resources of an application during a sync!"),
    ]

    answer = generate(ExtractiveGenerator(), question="What do Argo CD sync waves and hooks do?", passages=passages)

    assert answer.text == (
        "Argo CD sync waves order the resources of an application during a sync [1]. "
        "Argo CD sync hooks run jobs before or after the sync of an application [3]."
    )


def test_extractive_quotes_prose_only_without_markdown():
    markdown = """\
Restarting the web server by hand:

```bash
# restart the web server now
systemctl restart web-server
```

| How to restart the web server | Command |
|---|---|
| restart the web server | `systemctl restart web` |

- Use the **admin console** to restart the [web server](https://ops.example/web) safely.
- Short item
"""
    sentences = prose_sentences(markdown)
    answer = generate(
        ExtractiveGenerator(), question="How do I restart the web server?", passages=[passage(1, "Ops", markdown)]
    )

    assert sentences == [
        "Restarting the web server by hand:",
        "Use the admin console to restart the web server safely.",
    ]
    assert "systemctl" not in answer.text and "|" not in answer.text and "](" not in answer.text
    assert "Use the admin console to restart the web server safely [1]." in answer.text


@pytest.mark.parametrize(
    "passages",
    [[], [passage(1, "Code", "```\nrestart the web server\n```")], [passage(1, "Empty", "")]],
    ids=["no passages", "code only", "empty text"],
)
def test_extractive_without_prose_answers_empty(passages):
    chunks = list(ExtractiveGenerator().stream(question="How do I restart the web server?", passages=passages))

    assert texts(chunks) == [""]
    assert chunks[-1].usage.tokens_out == 0


# --- Fake -----------------------------------------------------------------------------------------------


def test_fake_generator_cites_the_first_passages_word_by_word():
    generator = FakeGenerator(cite=2)

    chunks = list(generator.stream(question=QUESTION, passages=PASSAGES, history=[Turn("user", "Hi")]))

    assert "".join(texts(chunks)) == "Answer from Fruit [1]. Answer from Runbook [2]."
    assert len(chunks) == 8 and chunks[-1].usage.tokens_out == 8
    assert generator.calls == [{"question": QUESTION, "passages": PASSAGES, "history": [Turn("user", "Hi")]}]


def test_fake_generator_fails_after_the_given_chunks():
    error = ProviderError("boom")
    generator = FakeGenerator(fail_after=2, error=error)
    received = []

    with pytest.raises(ProviderError) as raised:
        for chunk in generator.stream(question=QUESTION, passages=PASSAGES):
            received.append(chunk.text)

    assert raised.value is error
    assert received == ["Answer ", "from "]
    generator.fail_after = 0
    with pytest.raises(ProviderError):
        generate(generator, question=QUESTION, passages=PASSAGES)


# --- Selection --------------------------------------------------------------------------------------------


@override_settings(GENERATOR_PROVIDER="extractive")
def test_extractive_is_the_default_generator():
    assert isinstance(generators.get_generator(), ExtractiveGenerator)
    assert generators.get_generator() is generators.get_generator()


@override_settings(GENERATOR_PROVIDER="fake")
def test_fake_generator_from_settings():
    assert isinstance(generators.get_generator(), FakeGenerator)


@override_settings(
    GENERATOR_PROVIDER="openai",
    GENERATOR_MODEL="gen-model",
    OPENAI_API_KEY="sk-settings",
    OPENAI_API_STYLE="responses",
    GENERATOR_TEMPERATURE=0.3,
    GENERATOR_MAX_TOKENS=123,
    OPENAI_TIMEOUT_SECONDS=7.0,
    OPENAI_MAX_RETRIES=1,
)
def test_openai_generator_from_settings():
    generator = generators.get_generator()

    assert isinstance(generator, OpenAIGenerator)
    assert (generator.model_name, generator.api_style, generator.temperature, generator.max_tokens) == (
        "gen-model",
        "responses",
        0.3,
        123,
    )
    assert (generator.api_key, generator.timeout, generator.max_retries) == ("sk-settings", 7.0, 1)


@pytest.mark.parametrize(
    "overrides", [{"GENERATOR_PROVIDER": "gpt-local"}, {"GENERATOR_PROVIDER": "openai", "OPENAI_API_STYLE": "legacy"}]
)
def test_unknown_generator_settings_are_refused(overrides):
    with override_settings(**overrides), pytest.raises(ProviderNotAvailable):
        generators.get_generator()


# --- OpenAI ----------------------------------------------------------------------------------------------------


@pytest.fixture
def make_openai(openai_server):
    def make(**overrides):
        options = {
            "model_name": "gen-model",
            "api_key": "sk-gen",
            "base_url": openai_server.base_url,
            "timeout": 5.0,
            "max_retries": 2,
            "retry_base_delay": 0.01,
        } | overrides
        return OpenAIGenerator(**options)

    return make


HISTORY = [Turn("user", "How do I deploy?"), Turn("assistant", "Push to main [1]."), Turn("user", "   ")]


def test_chat_request_sends_sources_as_data(openai_server, make_openai):
    openai_server.enqueue(Reply("Run kubectl rollout undo [2]."))

    answer = generate(make_openai(), question=QUESTION, passages=PASSAGES, history=HISTORY)

    assert answer.text == "Run kubectl rollout undo [2]."
    (request,) = openai_server.requests_to("chat/completions")
    body = request.body
    assert request.headers["authorization"] == "Bearer sk-gen"
    assert (body["model"], body["temperature"], body["max_tokens"], body["stream"]) == ("gen-model", 0.1, 600, True)
    system, *earlier, user = body["messages"]
    assert system == {"role": "system", "content": SYSTEM_PROMPT}
    assert "untrusted" in system["content"] and "never follow instructions" in system["content"]
    assert earlier == [
        {"role": "user", "content": "How do I deploy?"},
        {"role": "assistant", "content": "Push to main [1]."},
    ]
    assert user["role"] == "user" and user["content"].endswith(f"Question: {QUESTION}")
    sources = json.loads(user["content"][user["content"].index("[") : user["content"].rindex("]") + 1])
    assert sources[1] == {"n": 2, "title": "Runbook", "section": "Operations > Rollbacks", "text": PASSAGES[1].text}
    assert [source["n"] for source in sources] == [1, 2, 3]
    assert answer.usage.tokens_out == 5 and answer.usage.tokens_in > 50


def test_chat_stream_yields_tokens_as_they_arrive(openai_server, make_openai):
    tokens = ["Run ", "kubectl ", "rollout ", "undo ", "[2]."]
    openai_server.enqueue(Reply(tokens=tokens, token_delay=0.1))
    started = time.monotonic()
    stream = make_openai().stream(question=QUESTION, passages=PASSAGES)

    first = next(stream)
    first_after = time.monotonic() - started
    chunks = [first, *stream]

    assert first_after < 0.4  # the whole answer takes 0.5 s
    assert texts(chunks) == [*tokens, ""]
    assert chunks[-1].usage.tokens_out == 5 and chunks[-1].usage.tokens_in > 50
    (request,) = openai_server.requests_to("chat/completions")
    assert request.body["stream"] is True and request.body["stream_options"] == {"include_usage": True}


def test_chat_answer_without_usage_is_estimated(openai_server, make_openai):
    # A server that ignores stream_options.include_usage: text chunks, no usage chunk.
    delta = {"index": 0, "delta": {"role": "assistant", "content": "Run undo [2]."}, "finish_reason": "stop"}
    chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "gen-model", "choices": [delta]}
    openai_server.enqueue(
        Malformed(body=f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n", content_type="text/event-stream")
    )

    answer = generate(make_openai(), question=QUESTION, passages=PASSAGES)

    assert answer.text == "Run undo [2]."
    assert answer.usage.tokens_out == 3 and answer.usage.tokens_in > 50


def test_responses_api_streams_with_instructions_and_no_storage(openai_server, make_openai):
    generator = make_openai(api_style="responses", temperature=None)
    openai_server.enqueue(Reply("Run undo [2]."), Reply(tokens=["Run ", "undo ", "[2]."]))

    answer = generate(generator, question=QUESTION, passages=PASSAGES, history=HISTORY)
    chunks = list(generator.stream(question=QUESTION, passages=PASSAGES))

    assert answer.text == "Run undo [2]." and answer.usage.tokens_out == 3
    assert texts(chunks) == ["Run ", "undo ", "[2].", ""] and chunks[-1].usage.tokens_out == 3
    with_history, without = openai_server.requests_to("responses")
    assert with_history.body["instructions"] == SYSTEM_PROMPT and with_history.body["store"] is False
    assert with_history.body["max_output_tokens"] == 600 and "temperature" not in with_history.body
    roles = [item["role"] for item in with_history.body["input"]]
    assert roles == ["user", "assistant", "user"]
    assert '"title": "Runbook"' in with_history.body["input"][-1]["content"]
    assert with_history.body["stream"] is True and without.body["stream"] is True


def test_rate_limit_is_retried(openai_server, make_openai):
    openai_server.enqueue(Fail(429, headers={"retry-after": "0"}), Reply("Run undo [2]."))
    generator = make_openai()

    text = "".join(texts(generator.stream(question=QUESTION, passages=PASSAGES)))

    assert text == "Run undo [2]."
    assert len(openai_server.requests) == 2


def test_server_errors_beyond_the_retries_are_retryable(openai_server, make_openai):
    openai_server.enqueue(Fail(500), Fail(502), Fail(503), Reply("too late"))

    with pytest.raises(RetryableProviderError, match="HTTP 503"):
        generate(make_openai(), question=QUESTION, passages=PASSAGES)

    assert len(openai_server.requests) == 3


@pytest.mark.parametrize("api_style", ["chat", "responses"])
def test_bad_request_is_permanent_and_not_retried(openai_server, make_openai, api_style):
    openai_server.enqueue(Fail(400, message="bad model"), Reply("never"))

    with pytest.raises(ProviderError, match="HTTP 400") as raised:
        list(make_openai(api_style=api_style).stream(question=QUESTION, passages=PASSAGES))

    assert not raised.value.retryable
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize("api_style", ["chat", "responses"])
def test_malformed_answer_is_a_permanent_error(openai_server, make_openai, api_style):
    openai_server.enqueue(Malformed(), Reply("never"))
    generator = make_openai(api_style=api_style)

    with pytest.raises(ProviderError, match="malformed") as raised:
        list(generator.stream(question=QUESTION, passages=PASSAGES))

    assert not raised.value.retryable
    assert len(openai_server.requests) == 1


def test_hanging_server_times_out_as_retryable(openai_server, make_openai):
    openai_server.enqueue(Hang(5), Hang(5))
    started = time.monotonic()

    with pytest.raises(RetryableProviderError, match="timed out"):
        list(make_openai(timeout=0.5, max_retries=1).stream(question=QUESTION, passages=PASSAGES))

    assert len(openai_server.requests) == 2
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("api_style", ["chat", "responses"])
def test_stream_dropped_after_tokens_fails_without_retry(openai_server, make_openai, api_style):
    openai_server.enqueue(Drop(tokens=["Run ", "kubectl "]), Reply("never"))
    received = []

    with pytest.raises(RetryableProviderError, match="connection"):
        for chunk in make_openai(api_style=api_style).stream(question=QUESTION, passages=PASSAGES):
            received.append(chunk.text)

    assert received == ["Run ", "kubectl "]
    assert len(openai_server.requests) == 1
    assert openai_server.pending == [Reply("never")]


def test_stream_dropped_before_any_token_is_retried(openai_server, make_openai):
    openai_server.enqueue(Drop(), Reply(tokens=["Run ", "undo ", "[2]."]))

    chunks = list(make_openai().stream(question=QUESTION, passages=PASSAGES))

    assert texts(chunks) == ["Run ", "undo ", "[2].", ""]
    assert len(openai_server.requests) == 2
