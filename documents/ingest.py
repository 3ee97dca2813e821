"""Ingest files and folders from disk: the path `manage.py ingest` takes."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from documents.services import DocumentRejected, document_index, document_upsert
from workspaces.models import Workspace

MARKDOWN_SUFFIXES = {".md", ".markdown", ".txt"}


@dataclass
class IngestReport:
    indexed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def iter_markdown_files(paths: list[Path]) -> Iterator[tuple[Path, Path]]:
    """(file, the root it was found under) for every Markdown or text file, sorted."""
    for root in paths:
        if root.is_file():
            yield root, root.parent
        elif root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and path.suffix.lower() in MARKDOWN_SUFFIXES:
                    yield path, root


def ingest_paths(
    *, workspace: Workspace, paths: list[Path], source_prefix: str = "", on_file: Callable[[Path], None] | None = None
) -> IngestReport:
    """Upsert and index each file; a file that fails is reported, the rest go on."""
    report = IngestReport()
    for path, root in iter_markdown_files(paths):
        source_uri = source_prefix + path.relative_to(root).as_posix()
        try:
            content = path.read_bytes().decode("utf-8")
            result = document_upsert(workspace=workspace, content=content, source_uri=source_uri)
            if result.needs_indexing:
                document_index(document_id=result.document.pk)
                report.indexed += 1
            else:
                report.unchanged += 1
        except (UnicodeDecodeError, DocumentRejected) as exc:
            report.failed.append((source_uri, "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)))
        if on_file:
            on_file(path)
    return report
