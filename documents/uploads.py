"""Uploaded files and form fields, read before anything is stored (see documents.rules)."""

import json

from django.conf import settings

from core.errors import DomainError
from documents.rules import DocumentRejected, check_file_name, check_size, decode_document
from documents.services import DocumentInput


def read_uploaded_files(files, *, metadata: dict) -> list[DocumentInput]:
    """Every file as a document to store, or the whole upload refused, naming each bad file."""
    if not files:
        raise DomainError("Send files in the 'files' field, or JSON with 'content'.", code="no_documents")
    if len(files) > settings.DOCUMENT_MAX_FILES:
        raise DomainError(f"At most {settings.DOCUMENT_MAX_FILES} files per upload.", code="too_many_files")
    problems, inputs = [], []
    for upload in files:
        name = (upload.name or "").rsplit("/", 1)[-1]
        try:
            check_file_name(name)
            check_size(upload.size, name=name)  # before reading it
            content = decode_document(upload.read(), name=name)
        except DocumentRejected as rejected:
            problems.append(rejected.message)
            continue
        inputs.append(DocumentInput(content=content, source_uri=name, metadata=metadata))
    if problems:
        raise DomainError("; ".join(problems), code="invalid_upload", extra={"files": problems})
    return inputs


METADATA_MAX_DEPTH = 8
METADATA_MAX_BYTES = 64 * 1024


def parse_metadata_field(value) -> dict:
    """`metadata` as a JSON object: already parsed (JSON body) or a string (multipart form);
    at most METADATA_MAX_DEPTH levels deep and METADATA_MAX_BYTES as JSON."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value, parse_constant=_no_constant)
        except (json.JSONDecodeError, ValueError):
            raise DomainError("metadata must be a JSON object.", code="validation_error") from None
    if not isinstance(value, dict):
        raise DomainError("metadata must be a JSON object.", code="validation_error")
    if _depth(value) > METADATA_MAX_DEPTH:
        raise DomainError(f"metadata may nest at most {METADATA_MAX_DEPTH} levels.", code="validation_error")
    if len(json.dumps(value)) > METADATA_MAX_BYTES:
        raise DomainError(f"metadata may hold at most {METADATA_MAX_BYTES} bytes.", code="validation_error")
    return value


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: PostgreSQL's jsonb has neither


def _depth(value, level: int = 1) -> int:
    if level > METADATA_MAX_DEPTH:  # deep enough to refuse: stop looking
        return level
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return max((_depth(child, level + 1) for child in children if isinstance(child, dict | list)), default=level)
