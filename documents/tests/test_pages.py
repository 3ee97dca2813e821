"""The documents pages: the list, upload, delete, reindex and a document's page, by role."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.roles import Role
from documents.models import Document, DocumentStatus
from documents.tests.factories import ChunkFactory, DocumentFactory
from workspaces.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = "# Notes <script>alert(1)</script>\n\n<img src=x onerror=alert(2)> [link](javascript:alert(3))\n"


def person(workspace, role) -> Client:
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    return client


def md(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/markdown")


def test_a_viewer_sees_the_list_and_a_document_but_cannot_change_anything(workspace):
    document = DocumentFactory(workspace=workspace, title="Runbook")
    ChunkFactory(document=document, heading_path=["Runbook", "Restart"], text="Restart the pods.")
    viewer = person(workspace, Role.VIEWER)
    listing = viewer.get("/app/w/alpha/documents/").content.decode()
    assert "Runbook" in listing and "disabled" in listing
    page = viewer.get(f"/app/w/alpha/documents/{document.pk}/").content.decode()
    assert "Restart the pods." in page and "Runbook › Restart" in page
    for url in ("upload/", f"{document.pk}/delete/", f"{document.pk}/reindex/", "reindex/"):
        response = viewer.post(f"/app/w/alpha/documents/{url}")
        assert response.status_code == 403 and response["Content-Type"].startswith("text/html"), url
    assert Document.objects.count() == 1


def test_an_editor_uploads_several_files_and_they_are_indexed(workspace, committed):
    editor = person(workspace, Role.EDITOR)
    with committed():
        response = editor.post(
            "/app/w/alpha/documents/upload/", {"files": [md("a.md", "# A\n\nAlpha."), md("b.md", "# B\n\nBeta.")]}
        )
    assert response.status_code == 302 and response["Location"] == "/app/w/alpha/documents/"
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.COMPLETED}
    page = editor.get("/app/w/alpha/documents/").content.decode()
    assert "2 documents uploaded" in page and "a.md" in page and "b.md" in page


def test_bad_files_are_refused_by_name_and_nothing_is_stored(workspace):
    editor = person(workspace, Role.EDITOR)
    bad = SimpleUploadedFile("photo.png", b"\x89PNG\r\n", content_type="image/png")
    fragment = editor.post(
        "/app/w/alpha/documents/upload/", {"files": [md("good.md", "# Good"), bad]}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "photo.png: only .md, .markdown and .txt files are accepted" in fragment
    assert 'id="document-results"' in fragment and "<html" not in fragment
    assert not Document.objects.exists()


def test_the_list_polls_while_documents_are_indexed_and_stops_once_settled(workspace):
    pending = DocumentFactory(workspace=workspace, status=DocumentStatus.PENDING)
    viewer = person(workspace, Role.VIEWER)
    assert 'hx-trigger="every 2s"' in viewer.get("/app/w/alpha/documents/").content.decode()
    Document.objects.filter(pk=pending.pk).update(status=DocumentStatus.COMPLETED)
    settled = viewer.get("/app/w/alpha/documents/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in settled


def test_the_status_filter(workspace):
    DocumentFactory(workspace=workspace, title="Broken one", status=DocumentStatus.FAILED, error="no text")
    DocumentFactory(workspace=workspace, title="Fine one")
    viewer = person(workspace, Role.VIEWER)
    failed = viewer.get("/app/w/alpha/documents/", {"status": "failed"}).content.decode()
    assert "Broken one" in failed and "Fine one" not in failed and "no text" in failed
    assert "Fine one" in viewer.get("/app/w/alpha/documents/", {"status": "lost"}).content.decode()


def test_delete_and_reindex(workspace, committed):
    document = DocumentFactory(workspace=workspace, content="# Keep\n\nText to index.")
    doomed = DocumentFactory(workspace=workspace, title="Doomed")
    editor = person(workspace, Role.EDITOR)
    with committed():
        editor.post(f"/app/w/alpha/documents/{document.pk}/reindex/")
        editor.post("/app/w/alpha/documents/reindex/", {"only_stale": "true"})
    document.refresh_from_db()
    assert document.status == DocumentStatus.COMPLETED and document.chunks.exists()
    fragment = editor.post(f"/app/w/alpha/documents/{doomed.pk}/delete/", HTTP_HX_REQUEST="true").content.decode()
    assert "Deleted “Doomed”" in fragment and not Document.objects.filter(pk=doomed.pk).exists()


def test_an_archived_workspace_disables_writes_and_refuses_them(workspace):
    workspace.archived_at = timezone.now()
    workspace.save()
    document = DocumentFactory(workspace=workspace)
    editor = person(workspace, Role.EDITOR)
    page = editor.get("/app/w/alpha/documents/").content.decode()
    assert "archived" in page and page.count("disabled") >= 4
    response = editor.post(f"/app/w/alpha/documents/{document.pk}/delete/")
    assert response.status_code == 409 and b"read-only" in response.content
    assert Document.objects.filter(pk=document.pk).exists()


def test_another_workspaces_documents_are_not_found(workspace, other_workspace):
    theirs = DocumentFactory(workspace=other_workspace)
    editor = person(workspace, Role.EDITOR)
    assert editor.get("/app/w/beta/documents/").status_code == 404
    assert editor.get(f"/app/w/alpha/documents/{theirs.pk}/").status_code == 404
    assert editor.post(f"/app/w/alpha/documents/{theirs.pk}/delete/").status_code == 404
    assert Document.objects.filter(pk=theirs.pk).exists()
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    assert staff.get(f"/app/w/beta/documents/{theirs.pk}/").status_code == 200


def test_a_document_holding_script_is_inert_on_every_page(workspace):
    document = DocumentFactory(workspace=workspace, title="<script>alert(0)</script>", content=HOSTILE)
    ChunkFactory(document=document, text=HOSTILE, heading_path=["<script>alert(4)</script>"])
    viewer = person(workspace, Role.VIEWER)
    for url in ("/app/w/alpha/documents/", f"/app/w/alpha/documents/{document.pk}/"):
        page = viewer.get(url).content.decode()
        assert "<script>alert" not in page  # escaped as text, or removed from the rendered Markdown
        assert not re.search(r"<[a-z][^>]*\son\w+\s*=", page)  # no element keeps an event handler
        assert 'href="javascript:' not in page
