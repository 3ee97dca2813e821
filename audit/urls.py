from django.urls import path

from audit import api

# Under /workspaces/: "audit-logs" is a reserved workspace id, and these paths come before
# workspaces/<id> in the URLconf (see ragsite/urls.py).
urlpatterns = [
    path("workspaces/audit-logs", api.AuditLogListApi.as_view(), name="audit-log-list"),
    path("workspaces/audit-logs/<int:log_id>", api.AuditLogDetailApi.as_view(), name="audit-log-detail"),
]
