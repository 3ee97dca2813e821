"""Answers made of the passages' own sentences: local, deterministic, no language model.

Every prose sentence of the passages is embedded with the configured embedder (at indexing
time, by documents.sentences; here for a passage that came without them) and scored by cosine
similarity to the question, plus a small bonus for passages retrieval ranked higher. The best
few sentences within a margin of the top score are kept, near-duplicates dropped, and put back
in reading order, each followed by the citation of its passage.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt

from providers.embeddings import get_embedder
from providers.embeddings.base import Embedder
from providers.generators.base import GenerationChunk, Generator, Passage, Turn, Usage, estimate_tokens, word_chunks

MAX_SENTENCES = 3
# Fragments shorter than this ("See below.", "Step 2") make poor answers.
MIN_WORDS = 4
SCORE_MARGIN = 0.1
# Added to the similarity of the first passage's sentences, halved for the second, and so on.
RANK_BONUS = 0.05
DUPLICATE_SIMILARITY = 0.95

_MARKDOWN = MarkdownIt("commonmark").enable("table")
# Headings repeat the question's words without answering it; tables and code do not read as prose.
_SKIPPED_BLOCKS = {"heading_open": 1, "heading_close": -1, "table_open": 1, "table_close": -1}
# A sentence ends at . ! or ? followed by a capital, a digit or an opening quote, bracket or backtick,
# which keeps "e.g. this" and "v1.2" in one piece.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[`]?[A-Z0-9])")
_FINAL_PUNCTUATION = re.compile(r"[.!?]+$")


@dataclass(frozen=True)
class _Sentence:
    number: int
    rank: int
    position: int
    text: str


class ExtractiveGenerator(Generator):
    """Quotes the passages' sentences that best answer the question, each cited as [n].

    `history` is not used: the question is answered from the passages alone.
    Without prose in the passages the answer is the empty string.
    """

    provider = "extractive"
    reads_sentence_vectors = True

    def __init__(
        self,
        *,
        embedder: Embedder | None = None,
        max_sentences: int = MAX_SENTENCES,
        score_margin: float = SCORE_MARGIN,
        rank_bonus: float = RANK_BONUS,
    ):
        self.embedder = embedder if embedder is not None else get_embedder()
        self.model_name = f"extractive/{self.embedder.model_name}"
        self.max_sentences = max_sentences
        self.score_margin = score_margin
        self.rank_bonus = rank_bonus

    def stream(
        self, *, question: str, passages: Sequence[Passage], history: Sequence[Turn] = ()
    ) -> Iterator[GenerationChunk]:
        answer = self.answer(question, passages)
        usage = Usage(
            tokens_in=estimate_tokens(question, *(passage.text for passage in passages)),
            tokens_out=estimate_tokens(answer),
        )
        yield from word_chunks(answer, usage)

    def answer(self, question: str, passages: Sequence[Passage]) -> str:
        """The composed, cited answer ("" when no passage has a usable sentence)."""
        candidates: list[_Sentence] = []
        vectors: list = []
        for rank, passage in enumerate(passages):
            sentences = prose_sentences(passage.text)
            stored = passage.sentence_vectors
            if stored is None or len(stored) != len(sentences):
                stored = [None] * len(sentences)  # not embedded at indexing time (yet): here
            for position, text in enumerate(sentences):
                candidates.append(_Sentence(number=passage.number, rank=rank, position=position, text=text))
                vectors.append(stored[position])
        if not candidates:
            return ""
        query = self.embedder.embed_query(question)
        missing = [index for index, vector in enumerate(vectors) if vector is None]
        if missing:
            embedded = self.embedder.embed_documents([candidates[index].text for index in missing])
            for index, vector in zip(missing, embedded, strict=True):
                vectors[index] = vector
        scores = [
            _dot(query, vector) + self.rank_bonus / (1 + candidate.rank)
            for candidate, vector in zip(candidates, vectors, strict=True)
        ]
        # Ties go to the earlier sentence, so equal scores cannot reorder between runs.
        ranked = sorted(range(len(candidates)), key=lambda index: (-scores[index], index))
        floor = scores[ranked[0]] - self.score_margin
        chosen: list[int] = []
        for index in ranked:
            if len(chosen) >= self.max_sentences or scores[index] < floor:
                break
            if any(_dot(vectors[index], vectors[other]) >= DUPLICATE_SIMILARITY for other in chosen):
                continue
            chosen.append(index)
        chosen.sort(key=lambda index: (candidates[index].number, candidates[index].rank, candidates[index].position))
        return " ".join(_cited(candidates[index]) for index in chosen)


def prose_sentences(markdown: str) -> list[str]:
    """The sentences of a Markdown passage as plain text.

    Markup goes (emphasis, links keep their text, inline code keeps its
    backticks); headings, code blocks, tables, HTML and fragments under
    MIN_WORDS words are left out.
    """
    sentences = []
    for block in _prose_blocks(markdown):
        for sentence in _SENTENCE_END.split(block):
            sentence = sentence.strip()
            if len(sentence.split()) >= MIN_WORDS:
                sentences.append(sentence)
    return sentences


def _prose_blocks(markdown: str) -> Iterator[str]:
    skipping = 0
    for token in _MARKDOWN.parse(markdown):
        skipping += _SKIPPED_BLOCKS.get(token.type, 0)
        if token.type != "inline" or skipping or _looks_like_table_rows(token.content):
            continue
        text = _plain_inline(token.children or [])
        if text:
            yield text


def _looks_like_table_rows(source: str) -> bool:
    """A passage cut out of a long table has rows but no header, so it parses as a paragraph."""
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    return bool(lines) and all(line.startswith("|") for line in lines)


def _plain_inline(children) -> str:
    parts = []
    for child in children:
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "code_inline":
            parts.append(f"`{child.content}`")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        # Images, raw HTML and the link/emphasis markers themselves are dropped; link text is in "text" children.
    return " ".join("".join(parts).split())


def _cited(sentence: _Sentence) -> str:
    """The sentence with its citation before the final punctuation: "Roll back with undo [2]."."""
    match = _FINAL_PUNCTUATION.search(sentence.text)
    if match:
        return f"{sentence.text[: match.start()]} [{sentence.number}]{match.group()}"
    return f"{sentence.text.rstrip(':;,')} [{sentence.number}]."


def _dot(left: Sequence[float], right: Sequence[float]) -> float:
    return sum(a * b for a, b in zip(left, right, strict=True))
