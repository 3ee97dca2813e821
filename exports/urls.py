from django.urls import path

from exports import api

urlpatterns = [
    path("exports/jobs", api.ExportJobListApi.as_view(), name="export-job-list"),
    path("exports/jobs/<uuid:job_id>", api.ExportJobDetailApi.as_view(), name="export-job-detail"),
    path("exports/jobs/<uuid:job_id>/download", api.ExportJobDownloadApi.as_view(), name="export-job-download"),
    path("exports/jobs/<uuid:job_id>/retry", api.ExportJobRetryApi.as_view(), name="export-job-retry"),
]
