"""What a document must be, wherever it comes from (an upload, a JSON body, a file on disk):
a Markdown or text file name, at most DOCUMENT_MAX_BYTES, UTF-8 text (a BOM is dropped),
no binary data, not empty."""

from django.conf import settings

from core.errors import DomainError

ALLOWED_SUFFIXES = (".md", ".markdown", ".txt")


class DocumentRejected(DomainError):
    """The content cannot become a document. `reason` says why; the message names the file when there is one."""

    code = "invalid_document"

    def __init__(self, reason: str, *, name: str = ""):
        self.reason = reason
        super().__init__(f"{name}: {reason}" if name else reason[:1].upper() + reason[1:] + ".")


def has_document_suffix(name: str) -> bool:
    return name.lower().endswith(ALLOWED_SUFFIXES)


def check_file_name(name: str) -> None:
    if not has_document_suffix(name):
        raise DocumentRejected("only .md, .markdown and .txt files are accepted", name=name or "a file")


def check_size(size: int, *, name: str = "") -> None:
    if size > settings.DOCUMENT_MAX_BYTES:
        raise DocumentRejected(f"larger than {settings.DOCUMENT_MAX_BYTES} bytes", name=name)


def decode_document(raw: bytes, *, name: str = "") -> str:
    """The text of a document file, its size, encoding and content checked."""
    check_size(len(raw), name=name)
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentRejected("not UTF-8 text", name=name) from None
    check_content(content, name=name)
    return content


def check_content(content: str, *, name: str = "") -> None:
    """A document's text: no binary data, not empty, not too large."""
    if "\x00" in content:
        raise DocumentRejected("binary content", name=name)
    if not content.strip():
        raise DocumentRejected("the document is empty", name=name)
    check_size(len(content.encode("utf-8")), name=name)
