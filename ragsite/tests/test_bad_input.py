"""Bad input, in one table per surface: each gets a clear 4xx in the envelope (or a correct empty
result), never a 500, and nothing is stored half-way."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.models import ChatLog
from documents.models import Chunk, Document, DocumentStatus

pytestmark = pytest.mark.django_db

YAML_BOMB = (
    "---\n"
    + "\n".join(
        [
            'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
            "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
            "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
            "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
            "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
            "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
            "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
        ]
    )
    + "\n---\n# Bomb\n\nText.\n"
)


def upload(client, name: str, raw: bytes):
    return client.post("/documents", {"files": [SimpleUploadedFile(name, raw)]}, format="multipart")


# (file name, bytes): each upload is refused whole, naming the file.
REFUSED_FILES = [
    ("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    ("latin1.md", "# Café crème\n\nÀ la carte.".encode("latin-1")),
    ("utf16.md", "\ufeff# Title\n\nText.".encode("utf-16")),
    ("empty.md", b""),
    ("blank.md", b" \n\t\r\n  "),
    ("large.md", b"# Big\n\n" + b"word " * (500 * 1024)),
    ("line.md", b"x" * (5 * 1024 * 1024)),  # a single 5 MB line, over the document limit
    ("photo.png", b"# not markdown by name"),
    ("../../etc/passwd", b"root:x:0:0"),
]


@pytest.mark.parametrize(("name", "raw"), REFUSED_FILES, ids=[repr(name[:20]) for name, _ in REFUSED_FILES])
def test_refused_uploads_are_400_and_store_nothing(client_for, editor_key, workspace, name, raw):
    response = upload(client_for(editor_key, workspace), name, raw)
    assert response.status_code in (400, 413), response.content[:300]
    assert response.json()["error"]["code"] in ("invalid_upload", "validation_error", "payload_too_large")
    assert not Document.objects.exists()


# (file name, text): accepted, indexed completely, and the stored name is harmless.
ACCEPTED_FILES = [
    ("a" * 10_000 + ".md", "# Long name\n\nText."),
    ("nul\x00name.md", "# NUL in the name\n\nText."),
    ("\u202etxt.exe.md", "# Right-to-left mark\n\nText."),
    ("headings.md", "".join(f"# Heading {number}\n\nLine {number}.\n\n" for number in range(10_000))),
    ("nested.md", "".join("  " * depth + f"- level {depth}\n" for depth in range(200))),
    ("list-front-matter.md", "---\n- a\n- b\n---\n# Listed\n\nText."),
    ("scalar-front-matter.md", "---\njust a string\n---\n# Scalar\n\nText."),
    ("bad-yaml.md", "---\ntitle: [unclosed\n---\n# Broken YAML\n\nText."),
    ("numbers.md", "---\nbig: 1e999\nhuge: 123456789012345678901234567890\nnan: .nan\n---\n# Numbers\n\nText."),
]


@pytest.mark.parametrize(("name", "text"), ACCEPTED_FILES, ids=[repr(name[:24]) for name, _ in ACCEPTED_FILES])
def test_odd_but_valid_uploads_are_indexed_whole(client_for, editor_key, workspace, committed, name, text):
    with committed():
        response = upload(client_for(editor_key, workspace), name, text.encode())
    assert response.status_code == 202, response.content[:300]
    document = Document.objects.get()
    assert document.status == DocumentStatus.COMPLETED, document.error
    assert Chunk.objects.filter(document=document).count() >= 1
    assert len(document.source_uri) <= 1000 and "\x00" not in document.source_uri
    json.dumps(document.metadata, allow_nan=False)  # stored metadata is plain JSON


def test_a_yaml_bomb_in_front_matter_is_refused_at_once(client_for, editor_key, workspace):
    response = upload(client_for(editor_key, workspace), "bomb.md", YAML_BOMB.encode())
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_document"
    assert "front matter" in response.json()["error"]["message"]
    assert not Document.objects.exists()


# JSON bodies of POST /documents.
BAD_DOCUMENT_BODIES = [
    b'{"content": 42}',
    b'{"content": ["a"]}',
    b'{"content": "# ok", "metadata": "not an object"}',
    b'{"content": "# ok", "metadata": {"deep": ' + b'{"a": ' * 200 + b"1" + b"}" * 200 + b"}}",
    b'{"content": "# ok", "title": 1e999}',
    b'{"content": NaN}',
    b'{"content": "# ok", "metadata": {"x": Infinity}}',
    b'{"content": "# ok", "metadata": "{\\"x\\": NaN}"}',
    b'{"content": "# ok", "metadata": {"big": "' + b"m" * (70 * 1024) + b'"}}',
    b'{"content": "# ok", "source_uri": 12}',
    b'{"content": "\\u0000binary"}',
    b"[1, 2, 3]",
    b'"just a string"',
    b"{not json",
    b"",
    b'{"content": "' + b"y" * (10 * 1024 * 1024) + b'"}',
]


@pytest.mark.parametrize("body", BAD_DOCUMENT_BODIES, ids=lambda body: repr(body[:30]))
def test_bad_json_documents_are_4xx_and_store_nothing(client_for, editor_key, workspace, body):
    response = client_for(editor_key, workspace).generic("POST", "/documents", body, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.json()["error"]["code"]
    assert not Document.objects.exists()


def test_unknown_fields_are_ignored_and_huge_numbers_are_plain_values(client_for, editor_key, workspace):
    body = {"content": "# Fine\n\nText.", "colour": "blue", "metadata": {"n": 10**40, "tags": ["a"]}}
    response = client_for(editor_key, workspace).post("/documents", body, format="json")
    assert response.status_code == 202
    assert Document.objects.get().metadata == {"n": 10**40, "tags": ["a"]}


# Queries for /search: a clear 400, or a correct (possibly empty) result.
QUERIES = [
    ("", 400),
    ("x", 200),
    ("q" * 100_000, 400),
    ("the and of to a in", 200),
    ("?!.,;:()[]{}", 200),
    ("'; DROP TABLE documents_chunk; --", 200),
    ("roll & back | undo ! :* \\", 200),
    ("'&|!:*\\", 200),
    ("rollback:* & !undo", 200),
    ("\u202e\u0000 null byte", 400),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES, ids=lambda value: repr(value)[:30])
def test_hostile_queries_answer_clearly(client_for, viewer_key, workspace, runbook, query, expected):
    response = client_for(viewer_key, workspace).post("/search", {"query": query, "mode": "hybrid"}, format="json")
    assert response.status_code == expected, response.content[:300]
    if expected == 200:
        for result in response.json()["results"]:
            assert result["document_id"] == str(runbook.pk)
    assert Chunk.objects.count() == runbook.chunks.count()  # nothing was touched


BAD_FILTERS = [
    {"filters": "tags"},
    {"filters": {"tags": {"a": 1}}},
    {"filters": {"document_ids": ["not-a-uuid"]}},
    {"filters": {"document_ids": "not-a-list-or-uuid"}},
    {"filters": {"owner": ["a", "b"]}},
    {"filters": {"owner": {"nested": True}}},
    {"evidence_types": "runbook"},
    {"limit": "ten"},
    {"limit": 10**20},
    {"limit": -1},
    {"mode": "psychic"},
    {"min_similarity": "high"},
    {"rerank": "sometimes"},
]


@pytest.mark.parametrize("extra", BAD_FILTERS, ids=lambda extra: json.dumps(extra)[:40])
def test_filters_of_the_wrong_type_are_400(client_for, viewer_key, workspace, runbook, extra):
    response = client_for(viewer_key, workspace).post("/search", {"query": "roll back", **extra}, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] in ("validation_error", "invalid_filter")


@pytest.mark.parametrize(
    "body",
    [
        {"chunk_id": "one"},
        {"chunk_id": 10**30},
        {"chunk_id": -5},
        {"chunk_id": None},
        {"chunk_id": 1, "context_window": 1000},
    ],
    ids=lambda body: json.dumps(body)[:40],
)
def test_bad_context_requests_are_4xx(client_for, viewer_key, workspace, runbook, body):
    response = client_for(viewer_key, workspace).post("/context", body, format="json")
    assert response.status_code in (400, 404), response.content[:300]


@pytest.mark.parametrize(
    "body",
    [
        {"question": ["a"]},
        {"question": 42},
        {"question": "q", "session_id": 5},
        {"question": "\u0000"},
        {"question": "q" * 100_000},
    ],
    ids=lambda body: json.dumps(body)[:40],
)
def test_bad_questions_are_4xx_and_log_nothing(client_for, editor_key, workspace, runbook, body):
    response = client_for(editor_key, workspace).post("/chat", body, format="json")
    assert response.status_code in (400, 404), response.content[:300]  # a session id that is no session: 404
    assert not ChatLog.objects.exists()
