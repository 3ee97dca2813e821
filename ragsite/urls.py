from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import errors, metrics

admin.site.site_header = "ragsite administration"
admin.site.site_title = "ragsite admin"
admin.site.index_title = "Operations"
admin.site.site_url = "/app/"

handler400 = "core.errors.handler400"
handler403 = "core.errors.handler403"
handler404 = "core.errors.handler404"
handler500 = "core.errors.handler500"

urlpatterns = [
    path("", RedirectView.as_view(url="/app/"), name="root"),
    path("app/", include("workspaces.page_urls")),
    path("app/", include("documents.page_urls")),
    path("app/", include("retrieval.page_urls")),
    path("app/", include("chat.page_urls")),
    path("app/", include("operations.page_urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Before workspaces: its paths under /workspaces/ are reserved workspace ids.
    path("", include("audit.urls")),
    path("", include("workspaces.urls")),
    path("", include("documents.urls")),
    path("", include("retrieval.urls")),
    path("", include("chat.urls")),
    path("", include("exports.urls")),
    path("", include("openai_compat.urls")),
    path("metrics", metrics.metrics_view, name="prometheus-django-metrics"),
    # Last: every unknown path answers the envelope (an HTML page on browser paths), DEBUG or not.
    re_path(r"^", errors.not_found),
]
