from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ragsite import errors, ops

handler400 = "ragsite.errors.handler400"
handler403 = "ragsite.errors.handler403"
handler404 = "ragsite.errors.handler404"
handler500 = "ragsite.errors.handler500"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", ops.HealthView.as_view(), name="health"),
    path("stats", ops.StatsView.as_view(), name="stats"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("workspaces.urls")),
    path("", include("documents.urls")),
    path("", include("retrieval.urls")),
    path("", include("chat.urls")),
    path("", include("exports.urls")),
    path("", include("django_prometheus.urls")),
    # Last: every unknown path answers the JSON envelope, DEBUG or not.
    re_path(r"^", errors.not_found),
]
