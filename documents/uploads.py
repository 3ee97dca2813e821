"""Checks on uploaded files before anything is stored: type, size, encoding."""

import json
from dataclasses import dataclass

from django.conf import settings

from ragsite.errors import ApiError

ALLOWED_SUFFIXES = (".md", ".markdown", ".txt")


@dataclass
class UploadedText:
    name: str
    content: str


def read_uploaded_files(files) -> list[UploadedText]:
    """Decode every file or refuse the whole upload, naming each bad file."""
    if not files:
        raise ApiError("Send files in the 'files' field, or JSON with 'content'.", code="no_documents")
    if len(files) > settings.DOCUMENT_MAX_FILES:
        raise ApiError(f"At most {settings.DOCUMENT_MAX_FILES} files per upload.", code="too_many_files")
    problems, texts = [], []
    for upload in files:
        name = (upload.name or "").rsplit("/", 1)[-1]
        if not name.lower().endswith(ALLOWED_SUFFIXES):
            problems.append(f"{name or 'a file'}: only .md, .markdown and .txt files are accepted")
            continue
        if upload.size > settings.DOCUMENT_MAX_BYTES:
            problems.append(f"{name}: larger than {settings.DOCUMENT_MAX_BYTES} bytes")
            continue
        raw = upload.read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(f"{name}: not UTF-8 text")
            continue
        if "\x00" in content:
            problems.append(f"{name}: binary content")
            continue
        if not content.strip():
            problems.append(f"{name}: empty")
            continue
        texts.append(UploadedText(name=name, content=content))
    if problems:
        raise ApiError("; ".join(problems), code="invalid_upload", extra={"files": problems})
    return texts


def parse_metadata_field(value) -> dict:
    """`metadata` as a JSON object: already parsed (JSON body) or a string (multipart form)."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise ApiError("metadata must be a JSON object.", code="validation_error") from None
    if not isinstance(value, dict):
        raise ApiError("metadata must be a JSON object.", code="validation_error")
    return value
