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


def parse_metadata_field(value) -> dict:
    """`metadata` as a JSON object: already parsed (JSON body) or a string (multipart form)."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise DomainError("metadata must be a JSON object.", code="validation_error") from None
    if not isinstance(value, dict):
        raise DomainError("metadata must be a JSON object.", code="validation_error")
    return value
