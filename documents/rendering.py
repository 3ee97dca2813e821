"""A document's Markdown as HTML for its page, sanitised: documents are untrusted input."""

import nh3
from markdown_it import MarkdownIt

from documents.markdown import parse_document

# Raw HTML inside Markdown is rendered by markdown-it and then cleaned by nh3, which keeps
# ordinary formatting and drops scripts, event handlers, styles and javascript: links.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")


def render_markdown(source: str) -> str:
    """The document's body (front matter left out) as safe HTML."""
    return render_markdown_fragment(parse_document(source).body)


def render_markdown_fragment(text: str) -> str:
    """A piece of a document (a chunk) as safe HTML."""
    return nh3.clean(_MARKDOWN.render(text))
