"""The web app's sign-in and workspace pages: one authorisation path with the API."""

import uuid

import pytest
from django.test import Client
from django.utils import timezone

from core.roles import Role
from workspaces.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member(workspace):
    """An editor of workspace `alpha`, and of nothing else."""
    return MembershipFactory(workspace=workspace, role=Role.EDITOR).user


def test_the_root_leads_to_the_web_app_and_the_web_app_to_sign_in():
    assert Client().get("/")["Location"] == "/app/"
    response = Client().get("/app/")
    assert response.status_code == 302 and response["Location"] == "/app/login/?next=/app/"


def test_signing_in_with_a_password_and_out_again():
    UserFactory(username="ada")
    client = Client()
    page = client.get("/app/login/")
    assert page.status_code == 200 and b'name="csrfmiddlewaretoken"' in page.content
    response = client.post("/app/login/", {"username": "ada", "password": "password", "next": "/app/"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    assert client.get("/app/").status_code == 200
    assert client.post("/app/logout/")["Location"] == "/app/login/"
    assert client.get("/app/").status_code == 302


def test_a_wrong_password_says_so_and_repeated_failures_are_paused(settings):
    settings.AXES_FAILURE_LIMIT = 3
    # Failures are counted in the shared Redis cache: user names of this run only.
    grace, linus = (UserFactory(username=f"{name}-{uuid.uuid4().hex[:8]}").username for name in ("grace", "linus"))
    client = Client()
    wrong = client.post("/app/login/", {"username": grace, "password": "nope"})
    assert wrong.status_code == 200 and b"Please enter a correct" in wrong.content
    for _ in range(2):
        client.post("/app/login/", {"username": grace, "password": "nope"})
    locked = client.post("/app/login/", {"username": grace, "password": "password"})
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.content
    assert client.get("/app/").status_code == 302  # the right password did not sign in
    # Another user name from the same address is not paused.
    assert client.post("/app/login/", {"username": linus, "password": "password"}).status_code == 302


def test_changing_the_password(member):
    client = signed_in(member)
    assert client.get("/app/password/").status_code == 200
    response = client.post(
        "/app/password/",
        {"old_password": "password", "new_password1": "a-new-Passw0rd-x", "new_password2": "a-new-Passw0rd-x"},
    )
    assert response["Location"] == "/app/password/done/"
    member.refresh_from_db()
    assert member.check_password("a-new-Passw0rd-x")


def test_a_member_sees_only_their_workspaces_with_their_role(member, workspace, other_workspace):
    MembershipFactory(user=member, workspace=WorkspaceFactory(id="gamma", name="Gamma"), role=Role.VIEWER)
    page = signed_in(member).get("/app/").content.decode()
    assert "Alpha" in page and "Gamma" in page and "Beta" not in page
    assert "Editor" in page and "Viewer" in page


def test_another_workspace_is_not_found_for_a_member_and_found_for_staff(member, workspace, other_workspace):
    client = signed_in(member)
    assert client.get("/app/w/alpha/").status_code == 200
    missing = client.get("/app/w/beta/")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("text/html")
    assert client.get("/app/w/no-such/").status_code == 404
    staff = signed_in(UserFactory(is_staff=True))
    assert staff.get("/app/w/beta/").status_code == 200
    assert "Admin" in staff.get("/app/").content.decode()


def test_search_status_filter_and_the_htmx_partial(member, workspace):
    archived = WorkspaceFactory(id="old-docs", name="Old docs", archived_at=timezone.now())
    MembershipFactory(user=member, workspace=archived)
    client = signed_in(member)
    assert "Old docs" not in client.get("/app/").content.decode()  # active ones by default
    every = client.get("/app/", {"status": "all"}).content.decode()
    assert "Old docs" in every and "Archived" in every
    found = client.get("/app/", {"status": "all", "q": "old"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Old docs" in found and "Alpha" not in found
    assert "<html" not in found  # the fragment only
    assert client.get("/app/", {"status": "bogus", "page": "x"}).status_code == 200  # bad filters are ignored


def test_an_archived_workspace_page_says_it_is_read_only(member, workspace):
    workspace.archived_at, workspace.archive_reason = timezone.now(), "Moved to the wiki"
    workspace.save()
    page = signed_in(member).get("/app/w/alpha/").content.decode()
    assert "archived" in page and "Moved to the wiki" in page and "read-only" in page


def test_text_people_supply_is_escaped(member, workspace):
    workspace.name, workspace.description = "<script>alert(1)</script>", "<img src=x onerror=alert(2)>"
    workspace.save()
    client = signed_in(member)
    for page in (client.get("/app/").content.decode(), client.get("/app/w/alpha/").content.decode()):
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
        assert "<img src=x" not in page


def test_forms_without_a_csrf_token_are_refused_with_an_html_page(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post("/app/logout/")
    assert response.status_code == 403 and b"CSRF verification failed" in response.content


def test_gateway_mode_pages_trust_the_gateway_and_ask_the_access_service(access_control_server, workspace):
    WorkspaceFactory(id="beta", name="Beta")
    access_control_server.set("alpha", "allow")
    access_control_server.set("beta", "deny")
    client = Client(HTTP_X_USER_ID="u-42", HTTP_X_USER_ROLE="editor")
    page = client.get("/app/").content.decode()
    assert "Alpha" in page and "Beta" not in page
    assert client.get("/app/w/alpha/").status_code == 200
    assert client.get("/app/w/beta/").status_code == 404
    WorkspaceFactory(id="gamma", name="Gamma")
    access_control_server.set("gamma", "error")  # the service fails: closed
    assert client.get("/app/w/gamma/").status_code == 404
    nobody = Client().get("/app/")
    assert nobody.status_code == 401 and nobody["Content-Type"].startswith("text/html")
