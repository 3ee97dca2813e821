"""Ingest files and folders from disk: the path `manage.py ingest` takes."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from documents.models import Document, DocumentStatus
from documents.services import DocumentRejected, document_upsert, documents_index
from workspaces.models import Workspace

MARKDOWN_SUFFIXES = {".md", ".markdown", ".txt"}
INDEX_BATCH_DOCUMENTS = 200


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
    *, workspace: Workspace, paths: list[Path], on_file: Callable[[Path], None] | None = None
) -> IngestReport:
    """Upsert every file, then index the new or changed ones in batches; failures are reported, the rest go on."""
    report = IngestReport()
    files = list(iter_markdown_files(paths))
    for start in range(0, len(files), INDEX_BATCH_DOCUMENTS):
        pending: list = []
        with transaction.atomic():  # one commit per batch of files, not one per file
            for path, root in files[start : start + INDEX_BATCH_DOCUMENTS]:
                document_id = _upsert_file(workspace, path, root, report)
                if document_id is not None:
                    pending.append(document_id)
                if on_file:
                    on_file(path)
        _index_batch(pending, report)
    return report


def _upsert_file(workspace: Workspace, path: Path, root: Path, report: IngestReport):
    """The document's id when it needs indexing; failures and unchanged files go into the report."""
    source_uri = path.relative_to(root).as_posix()
    try:
        content = path.read_bytes().decode("utf-8")
        result = document_upsert(workspace=workspace, content=content, source_uri=source_uri)
    except UnicodeDecodeError:
        report.failed.append((source_uri, "not UTF-8 text"))
    except DocumentRejected as exc:
        report.failed.append((source_uri, str(exc)))
    else:
        if result.needs_indexing:
            return result.document.pk
        report.unchanged += 1
    return None


def _index_batch(document_ids: list, report: IngestReport) -> None:
    if not document_ids:
        return
    outcome = documents_index(document_ids=document_ids)
    report.indexed += outcome["completed"]
    report.failed.extend(
        Document.objects.filter(pk__in=document_ids, status=DocumentStatus.FAILED).values_list("source_uri", "error")
    )
