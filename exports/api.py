from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.formats import CONTENT_TYPES
from core.roles import Role
from exports.models import ExportJob
from exports.selectors import export_job_file_open, export_job_get, export_job_list
from exports.serializers import ExportJobCreateSerializer, ExportJobQuerySerializer, ExportJobSerializer
from exports.services import export_job_create, export_job_retry
from workspaces.scoping import WORKSPACE_HEADER, WorkspaceScopedMixin

WORKSPACE_PARAMETER = OpenApiParameter(WORKSPACE_HEADER, str, OpenApiParameter.HEADER, required=False)


class ExportJobMixin(WorkspaceScopedMixin):
    required_role = Role.ADMIN  # exports hold a workspace's logs and metadata in bulk

    def get_job(self, job_id) -> ExportJob:
        job = export_job_get(workspace=self.workspace, job_id=job_id)
        if job is None:
            raise exceptions.NotFound("Export job not found.")
        return job


class ExportJobListApi(ExportJobMixin, generics.GenericAPIView):
    """The workspace's export jobs, newest first; POST queues a new one."""

    serializer_class = ExportJobSerializer

    @extend_schema(
        operation_id="export_jobs_list",
        parameters=[WORKSPACE_PARAMETER, ExportJobQuerySerializer],
        responses=ExportJobSerializer(many=True),
    )
    def get(self, request):
        query = ExportJobQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(export_job_list(workspace=self.workspace, filters=query.validated_data))
        return self.get_paginated_response(ExportJobSerializer(page, many=True).data)

    @extend_schema(
        operation_id="export_jobs_create",
        parameters=[WORKSPACE_PARAMETER],
        request=ExportJobCreateSerializer,
        responses={201: ExportJobSerializer},
        description="Queue an export of the workspace's chat logs, audit logs or document metadata; "
        "poll the job, then download its file.",
    )
    def post(self, request):
        workspace = self.workspace
        payload = ExportJobCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = export_job_create(
            workspace=workspace,
            export_type=data["export_type"],
            file_format=data["format"],
            filters=data["filters"],
            actor=request.user.actor,
            request_id=request.request_id,
        )
        return Response(ExportJobSerializer(job).data, status=status.HTTP_201_CREATED)


class ExportJobDetailApi(ExportJobMixin, APIView):
    """One export job: status, attempts, error and file size."""

    @extend_schema(parameters=[WORKSPACE_PARAMETER], responses=ExportJobSerializer)
    def get(self, request, job_id):
        return Response(ExportJobSerializer(self.get_job(job_id)).data)


class ExportJobDownloadApi(ExportJobMixin, APIView):
    """The job's file, streamed. 409 until the job has succeeded; 404 `export_file_not_found` once it is deleted."""

    @extend_schema(
        parameters=[WORKSPACE_PARAMETER],
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.BINARY, description="JSON lines"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV with a header row"),
            409: OpenApiResponse(description="The job has not succeeded (`export_not_ready`)."),
        },
    )
    def get(self, request, job_id):
        job = self.get_job(job_id)
        return FileResponse(
            export_job_file_open(job=job),
            as_attachment=True,
            filename=f"{job.export_type}-{job.pk}.{job.format}",
            content_type=CONTENT_TYPES[job.format],
        )


class ExportJobRetryApi(ExportJobMixin, APIView):
    """Queue a failed job again (failed -> pending); 409 for any other status."""

    @extend_schema(
        operation_id="export_job_retry",
        parameters=[WORKSPACE_PARAMETER],
        request=None,
        responses={202: ExportJobSerializer},
    )
    def post(self, request, job_id):
        job = export_job_retry(job=self.get_job(job_id), actor=request.user.actor, request_id=request.request_id)
        return Response(ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
