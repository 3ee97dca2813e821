"""Ingest files and folders from disk: the path `manage.py ingest` takes."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from documents.indexing import INDEX_BATCH_DOCUMENTS
from documents.rules import DocumentRejected, decode_document, has_document_suffix
from documents.services import DocumentInput, documents_upload
from workspaces.models import Workspace


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
                if path.is_file() and has_document_suffix(path.name):
                    yield path, root


def ingest_paths(
    *, workspace: Workspace, paths: list[Path], on_file: Callable[[Path], None] | None = None
) -> IngestReport:
    """Upload every file and index the new or changed ones, a batch at a time; files that
    cannot be documents are reported, the rest go on."""
    report = IngestReport()
    files = list(iter_markdown_files(paths))
    for start in range(0, len(files), INDEX_BATCH_DOCUMENTS):
        inputs = []
        for path, root in files[start : start + INDEX_BATCH_DOCUMENTS]:
            source_uri = path.relative_to(root).as_posix()
            try:
                inputs.append(DocumentInput(content=decode_document(path.read_bytes()), source_uri=source_uri))
            except DocumentRejected as rejected:
                report.failed.append((source_uri, rejected.reason))
            if on_file:
                on_file(path)
        uploaded = documents_upload(workspace=workspace, inputs=inputs, index_now=True)
        report.indexed += uploaded.indexed
        report.unchanged += uploaded.unchanged
        report.failed += uploaded.failed
    return report
