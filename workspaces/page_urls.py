"""The web app's sign-in and workspace pages, under /app/."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from workspaces import views

urlpatterns = [
    path("", views.workspace_list, name="app-home"),
    path("workspaces/new/", views.workspace_create_page, name="app-workspace-create"),
    path("workspaces/bulk/", views.workspaces_bulk_page, name="app-workspaces-bulk"),
    path("workspaces/bulk/matching/", views.workspaces_matching_page, name="app-workspaces-matching"),
    path("w/<str:workspace_id>/", views.workspace_detail, name="app-workspace"),
    path("w/<str:workspace_id>/edit/", views.workspace_edit_page, name="app-workspace-edit"),
    path("w/<str:workspace_id>/archive/", views.workspace_archive_page, name="app-workspace-archive"),
    path("w/<str:workspace_id>/restore/", views.workspace_restore_page, name="app-workspace-restore"),
    path("w/<str:workspace_id>/members/", views.member_list, name="app-members"),
    path("w/<str:workspace_id>/members/set/", views.member_set, name="app-member-set"),
    path("w/<str:workspace_id>/members/<int:membership_id>/remove/", views.member_remove, name="app-member-remove"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="workspaces/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="workspaces/password_change.html", success_url=reverse_lazy("password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="workspaces/password_change_done.html"),
        name="password_change_done",
    ),
]
