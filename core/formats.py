"""Rows as JSON lines or CSV, produced lazily so large exports stream."""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence

CONTENT_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}

# Rows are read from the database in chunks of this many, never all at once.
ROW_CHUNK_SIZE = 500


def export_lines(rows: Iterable[dict], *, format: str, fields: Sequence[str]) -> Iterator[str]:
    """`rows` as lines of `format` (jsonl or csv)."""
    if format == "csv":
        return csv_lines(rows, fields=fields)
    if format == "jsonl":
        return jsonl_lines(rows)
    raise ValueError(f"Unknown export format {format!r}.")


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, default=str, ensure_ascii=False) + "\n"


def csv_lines(rows: Iterable[dict], *, fields: Sequence[str]) -> Iterator[str]:
    """CSV with a header; nested values (lists, dicts) as JSON in their cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    yield _drain(buffer)
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
        yield _drain(buffer)


def _cell(value):
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # no formula injection when a spreadsheet opens the file
    return value


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate(0)
    return text


def serialized_rows(queryset, serializer_class) -> Iterator[dict]:
    """Each object as its API serializer shows it, read from the database in chunks."""
    return (serializer_class(obj).data for obj in queryset.iterator(chunk_size=ROW_CHUNK_SIZE))
