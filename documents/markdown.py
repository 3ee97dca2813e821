"""Markdown to chunks: front matter as metadata, heading-aware packing.

A document is split on its headings into sections; each section's top-level
blocks (paragraphs, lists, code, tables, quotes), taken verbatim from the
source, are packed into chunks of at most `max_tokens` tokens as the
embedding model's tokenizer counts them, with `overlap_tokens` carried over
between neighbouring chunks of a section. Every chunk keeps its heading path.
"""

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml
from markdown_it import MarkdownIt

from documents.rules import DocumentRejected

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\[`*_(\"'])")
_MARKDOWN = MarkdownIt("commonmark").enable("table")

TokenCounter = Callable[[str], int]


@dataclass
class ParsedDocument:
    metadata: dict
    title: str
    body: str


@dataclass
class ChunkDraft:
    ordinal: int
    heading_path: list[str]
    text: str
    token_count: int
    content_hash: str = field(init=False)

    def __post_init__(self):
        self.content_hash = content_hash(" > ".join(self.heading_path) + "\n" + self.text)

    @property
    def embedding_text(self) -> str:
        return embedding_text(self.heading_path, self.text)


def embedding_text(heading_path, text: str) -> str:
    """What the embedder sees for a chunk: the heading path gives a short passage its topic."""
    return " > ".join(heading_path) + "\n\n" + text if heading_path else text


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML without anchors and aliases: metadata has no use for them, and aliases nested a
    few levels deep expand exponentially once read (a "YAML bomb")."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise DocumentRejected("its front matter uses YAML aliases (*name), which are not accepted")
        return super().compose_node(parent, index)


def parse_document(source: str, *, fallback_title: str = "") -> ParsedDocument:
    """Split off YAML front matter; the title is front matter's, else the first H1."""
    metadata: dict = {}
    body = source
    match = _FRONT_MATTER.match(source)
    if match:
        try:
            loaded = yaml.load(match.group(1), Loader=_FrontMatterLoader)  # noqa: S506 (a SafeLoader)
        except yaml.YAMLError:
            loaded = None
        if isinstance(loaded, dict):
            metadata = {str(key): _json_safe(value) for key, value in loaded.items()}
            body = source[match.end() :]
    title = str(metadata.get("title") or "").strip() or _first_h1(body) or fallback_title
    return ParsedDocument(metadata=metadata, title=title, body=body)


def chunk_markdown(
    body: str, *, count_tokens: TokenCounter, max_tokens: int = 256, overlap_tokens: int = 0, title: str = ""
) -> list[ChunkDraft]:
    drafts: list[ChunkDraft] = []
    count_tokens = _remembering(count_tokens)
    for heading_path, blocks in _sections(body):
        path = heading_path or ([title] if title else [])
        for text in _pack(blocks, count_tokens=count_tokens, max_tokens=max_tokens, overlap_tokens=overlap_tokens):
            drafts.append(ChunkDraft(len(drafts), path, text, count_tokens(text)))
    return drafts


def _remembering(count_tokens: TokenCounter) -> TokenCounter:
    """The counter, asked once per distinct text: a chunk that is one whole block
    would otherwise be tokenized twice, and tokenizing is most of chunking's cost."""
    counts: dict[str, int] = {}

    def count(text: str) -> int:
        if text not in counts:
            counts[text] = count_tokens(text)
        return counts[text]

    return count


def _sections(body: str) -> list[tuple[list[str], list[str]]]:
    """(heading path, verbatim top-level blocks) for each heading's section, in order."""
    lines = body.splitlines()
    tokens = _MARKDOWN.parse(body)
    sections: list[tuple[list[str], list[str]]] = []
    stack: list[tuple[int, str]] = []
    blocks: list[str] = []

    def flush():
        if blocks:
            sections.append(([text for _, text in stack], list(blocks)))
            blocks.clear()

    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            flush()
            level = int(token.tag[1])
            text = _plain_inline(tokens[index + 1].content)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            index += 3
            continue
        if token.level == 0 and token.map is not None and token.nesting in (0, 1):
            start, end = token.map
            block = "\n".join(lines[start:end]).strip()
            if block:
                blocks.append(block)
            index = _skip_block(tokens, index)
            continue
        index += 1
    flush()
    return sections


def _skip_block(tokens, index: int) -> int:
    """Index after the block that starts at `index` (its matching close token)."""
    if tokens[index].nesting == 0:
        return index + 1
    depth = 0
    while index < len(tokens):
        depth += tokens[index].nesting
        index += 1
        if depth == 0:
            return index
    return index


def _pack(blocks: list[str], *, count_tokens: TokenCounter, max_tokens: int, overlap_tokens: int) -> list[str]:
    pieces: list[tuple[str, int]] = []
    for block in blocks:
        pieces.extend(_fit(block, count_tokens=count_tokens, max_tokens=max_tokens))
    chunks: list[str] = []
    current: list[tuple[str, int]] = []
    size = 0
    for text, tokens in pieces:
        if current and size + tokens > max_tokens:
            chunks.append("\n\n".join(piece for piece, _ in current))
            current = _overlap_tail(current, overlap_tokens, room=max_tokens - tokens)
            size = sum(count for _, count in current)
        current.append((text, tokens))
        size += tokens
    if current:
        chunks.append("\n\n".join(piece for piece, _ in current))
    return chunks


def _overlap_tail(pieces: list[tuple[str, int]], overlap_tokens: int, *, room: int) -> list[tuple[str, int]]:
    """The last whole pieces of a chunk, up to `overlap_tokens`, to open the next one."""
    tail: list[tuple[str, int]] = []
    size = 0
    for text, tokens in reversed(pieces):
        if size + tokens > min(overlap_tokens, room):
            break
        tail.insert(0, (text, tokens))
        size += tokens
    return tail


def _fit(block: str, *, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[str, int]]:
    """Split a block that is too long: by sentences, then by lines, then by words."""
    tokens = count_tokens(block)
    if tokens <= max_tokens:
        return [(block, tokens)]
    for splitter in (_SENTENCE_END.split, str.splitlines, str.split):
        parts = [part for part in splitter(block) if part.strip()]
        if len(parts) > 1:
            joiner = " " if splitter is not str.splitlines else "\n"
            return _greedy(parts, joiner, count_tokens=count_tokens, max_tokens=max_tokens)
    return _split_by_characters(block, count_tokens=count_tokens, max_tokens=max_tokens)


def _greedy(parts: list[str], joiner: str, *, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[str, int]]:
    # WordPiece-style tokenizers split on whitespace first, so the parts' counts add
    # up to the count of their join: each part is tokenized once, not once per join.
    out: list[tuple[str, int]] = []
    current: list[str] = []
    size = 0
    for part in parts:
        tokens = count_tokens(part)
        if tokens > max_tokens:
            if current:
                out.append((joiner.join(current), size))
                current, size = [], 0
            out.extend(_fit(part, count_tokens=count_tokens, max_tokens=max_tokens))
            continue
        if current and size + tokens > max_tokens:
            out.append((joiner.join(current), size))
            current, size = [], 0
        current.append(part)
        size += tokens
    if current:
        out.append((joiner.join(current), size))
    return out


def _split_by_characters(block: str, *, count_tokens: TokenCounter, max_tokens: int) -> list[tuple[str, int]]:
    # A single enormous "word" (a base64 blob, a minified line): cut it by length.
    step = max(1, len(block) * max_tokens // max(1, count_tokens(block)) - 1)
    pieces = [block[i : i + step] for i in range(0, len(block), step)]
    return [(piece, count_tokens(piece)) for piece in pieces]


def _first_h1(body: str) -> str:
    for token_index, token in enumerate(tokens := _MARKDOWN.parse(body)):
        if token.type == "heading_open" and token.tag == "h1":
            return _plain_inline(tokens[token_index + 1].content)
    return ""


def _plain_inline(text: str) -> str:
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[`*_]+", "", text).strip()


def _json_safe(value):
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON (and PostgreSQL's jsonb) has no NaN or infinity
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
