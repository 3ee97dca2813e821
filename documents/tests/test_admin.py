"""Operators in the admin: a document's status is never set by hand, a content edit is indexed
again, and every action is audited."""

import json
import re

import pytest

from audit.models import AuditLog
from documents.indexing import documents_index
from documents.models import Document, DocumentStatus
from documents.services import document_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(workspace):
    document = document_upsert(workspace=workspace, content="# Guide\n\nOld text.", source_uri="guide.md").document
    documents_index(document_ids=[document.pk])
    return Document.objects.get(pk=document.pk)


def test_editing_content_in_the_admin_indexes_it_again(admin_client, indexed, committed):
    url = f"/admin/documents/document/{indexed.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="content_hash"' not in page  # shown, not editable
    # The chunks inline's own hidden fields, as the browser sends them back.
    inline = dict(re.findall(r'<input type="hidden" name="(chunks-[^"]+)" value="([^"]*)"', page))
    with committed():
        response = admin_client.post(
            url,
            {
                **inline,
                "title": "Guide",
                "content": "# Guide\n\nNew text.",
                "metadata": json.dumps({"tags": ["ops"]}),
            },
        )
    assert response.status_code == 302, response.content[:500]
    document = Document.objects.get(pk=indexed.pk)
    assert document.status == DocumentStatus.COMPLETED and document.metadata == {"tags": ["ops"]}
    assert "New text." in document.chunks.get().text
    edit = AuditLog.objects.get(action="document.edit")
    assert edit.actor == "user:admin" and edit.metadata["content_changed"] is True


def test_documents_are_not_added_by_hand_and_a_reindex_is_audited(admin_client, indexed, committed):
    assert admin_client.get("/admin/documents/document/add/").status_code == 403
    with committed():
        admin_client.post(
            "/admin/documents/document/", {"action": "reindex_selected", "_selected_action": [str(indexed.pk)]}
        )
    reindex = AuditLog.objects.get(action="document.reindex")
    assert reindex.workspace_ids == [indexed.workspace_id] and reindex.metadata == {"documents": 1}


def test_every_model_has_a_searchable_admin_and_statistics_are_read_only(admin_client, indexed):
    for url in (
        "/admin/workspaces/workspace/",
        "/admin/workspaces/membership/",
        "/admin/workspaces/apikey/",
        "/admin/documents/document/",
        "/admin/documents/chunk/",
        "/admin/chat/chatlog/",
        "/admin/chat/chatsession/",
        "/admin/chat/chatmessage/",
        "/admin/exports/exportjob/",
        "/admin/audit/auditlog/",
        "/admin/retrieval/termstat/",
        "/admin/retrieval/corpusstat/",
    ):
        page = admin_client.get(url, {"q": "guide"})
        assert page.status_code == 200, url
    assert admin_client.get("/admin/retrieval/termstat/add/").status_code == 403
    assert b"ragsite administration" in admin_client.get("/admin/").content
