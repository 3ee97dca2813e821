"""A signed-in person's principal: their memberships decide what they reach and with which role."""

import pytest

from core.roles import Role
from workspaces.selectors import principal_for_user, workspace_list_for_principal
from workspaces.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_a_member_reaches_their_workspaces_each_with_its_own_role(workspace, other_workspace):
    person = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    MembershipFactory(user=person, workspace=WorkspaceFactory(id="gamma"), role=Role.VIEWER)
    principal = principal_for_user(person)
    assert principal.actor == f"user:{person.username}" and principal.role == Role.EDITOR
    assert principal.reachable_workspace_ids() == ["alpha", "gamma"]
    assert principal.reachable_workspace_ids(among=["gamma", "beta"]) == ["gamma"]
    assert (principal.can_reach("alpha"), principal.can_reach("beta")) == (True, False)
    assert principal.has_role(Role.EDITOR, workspace_id="alpha")
    assert not principal.has_role(Role.EDITOR, workspace_id="gamma")
    assert not principal.has_role(Role.VIEWER, workspace_id="beta")
    assert set(workspace_list_for_principal(principal=principal).values_list("pk", flat=True)) == {"alpha", "gamma"}


def test_staff_are_admins_everywhere_and_others_without_memberships_reach_nothing(workspace):
    staff = principal_for_user(UserFactory(is_staff=True))
    assert staff.reachable_workspace_ids() is None and staff.has_role(Role.ADMIN, workspace_id="alpha")
    nobody = principal_for_user(UserFactory())
    assert nobody.reachable_workspace_ids() == [] and not nobody.can_reach("alpha")
    assert not workspace_list_for_principal(principal=nobody).exists()
