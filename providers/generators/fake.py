"""A scriptable generator for tests of the chat service: no model, no network."""

from collections.abc import Iterator, Sequence

from providers.errors import RetryableProviderError
from providers.generators.base import GenerationChunk, Generator, Passage, Turn, Usage, estimate_tokens, word_chunks


class FakeGenerator(Generator):
    """Answers "Answer from <title> [n]." for each of the first `cite` passages, streamed word by word.

    With `fail_after` set, the stream raises `error` (by default a
    RetryableProviderError) once that many chunks went out, 0 meaning before
    the first; a shorter stream completes. Every call is recorded in `calls` as a dict of its arguments.
    The attributes may be changed on an instance between calls.
    """

    provider = "fake"
    model_name = "fake-generator"

    def __init__(self, *, cite: int = 1, fail_after: int | None = None, error: Exception | None = None):
        self.cite = cite
        self.fail_after = fail_after
        self.error = error
        self.calls: list[dict] = []

    def stream(
        self, *, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[GenerationChunk]:
        self.calls.append({"question": question, "passages": list(passages), "history": list(history)})
        answer = " ".join(f"Answer from {passage.title} [{passage.number}]." for passage in passages[: self.cite])
        usage = Usage(
            tokens_in=estimate_tokens(question, *(passage.text for passage in passages)),
            tokens_out=estimate_tokens(answer),
        )
        for sent, chunk in enumerate(word_chunks(answer, usage)):
            if sent == self.fail_after:
                raise self._failure()
            yield chunk

    def _failure(self) -> Exception:
        return self.error if self.error is not None else RetryableProviderError("Fake generator: scripted failure")
