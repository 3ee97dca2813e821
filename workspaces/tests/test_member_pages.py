"""A workspace admin manages its members from the web app; every change is audited."""

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditLog
from core.roles import Role
from workspaces.models import Membership
from workspaces.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def person(workspace, role) -> Client:
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    return client


def test_an_admin_adds_changes_and_removes_a_member(workspace):
    admin = person(workspace, Role.ADMIN)
    UserFactory(username="ada")
    assert "Members" in admin.get("/app/w/alpha/").content.decode()
    response = admin.post("/app/w/alpha/members/set/", {"username": "ada", "role": "editor"})
    assert response.status_code == 302
    membership = Membership.objects.get(workspace=workspace, user__username="ada")
    assert membership.role == Role.EDITOR
    assert "ada is now editor." in admin.get("/app/w/alpha/members/").content.decode()
    admin.post("/app/w/alpha/members/set/", {"username": "ada", "role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    admin.post(f"/app/w/alpha/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = list(AuditLog.objects.filter(workspace_ids=["alpha"]).values_list("action", flat=True))
    assert sorted(actions) == ["membership.add", "membership.change", "membership.remove"]


def test_an_unknown_user_name_is_named_in_the_form(workspace):
    response = person(workspace, Role.ADMIN).post("/app/w/alpha/members/set/", {"username": "nobody", "role": "viewer"})
    assert response.status_code == 400 and "There is no active user called “nobody”." in response.content.decode()


def test_only_admins_of_the_workspace_manage_its_members(workspace, other_workspace):
    editor = person(workspace, Role.EDITOR)
    assert "Members" not in editor.get("/app/w/alpha/").content.decode()
    assert editor.get("/app/w/alpha/members/").status_code == 403
    assert editor.post("/app/w/alpha/members/set/", {"username": "x", "role": "admin"}).status_code == 403
    theirs = MembershipFactory(workspace=other_workspace)
    admin_of_alpha = person(workspace, Role.ADMIN)
    assert admin_of_alpha.get("/app/w/beta/members/").status_code == 404
    assert admin_of_alpha.post(f"/app/w/alpha/members/{theirs.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_an_archived_workspace_keeps_its_members(workspace):
    admin = person(workspace, Role.ADMIN)
    workspace.archived_at = timezone.now()
    workspace.save()
    assert "disabled" in admin.get("/app/w/alpha/members/").content.decode()
    UserFactory(username="ada")
    assert admin.post("/app/w/alpha/members/set/", {"username": "ada", "role": "viewer"}).status_code == 409
    assert not Membership.objects.filter(user__username="ada").exists()
