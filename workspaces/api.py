from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Conflict
from core.roles import Role
from workspaces.selectors import (
    workspace_get_for_principal,
    workspace_list_administered,
    workspace_list_for_principal,
    workspace_list_matching,
)
from workspaces.serializers import (
    WorkspaceArchiveSerializer,
    WorkspaceBulkChangeResultSerializer,
    WorkspaceBulkChangeSerializer,
    WorkspaceBulkPreviewQuerySerializer,
    WorkspaceBulkPreviewSerializer,
    WorkspaceChangeMatchingResultSerializer,
    WorkspaceChangeMatchingSerializer,
    WorkspaceCreateSerializer,
    WorkspaceListQuerySerializer,
    WorkspaceSerializer,
    WorkspaceUpdateSerializer,
)
from workspaces.services import (
    workspace_create,
    workspace_update,
    workspaces_bulk_change,
    workspaces_bulk_preview,
    workspaces_change_matching,
)


class WorkspaceListCreateApi(generics.GenericAPIView):
    serializer_class = WorkspaceSerializer
    required_role = {"GET": Role.VIEWER, "POST": Role.ADMIN}

    @extend_schema(
        operation_id="workspaces_list",
        parameters=[WorkspaceListQuerySerializer],
        responses=WorkspaceSerializer(many=True),
    )
    def get(self, request):
        query = WorkspaceListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        workspaces = workspace_list_matching(
            workspaces=workspace_list_for_principal(principal=request.user), filters=query.validated_data
        )
        page = self.paginate_queryset(workspaces)
        return self.get_paginated_response(WorkspaceSerializer(page, many=True).data)

    @extend_schema(request=WorkspaceCreateSerializer, responses={201: WorkspaceSerializer})
    def post(self, request):
        if request.user.is_scoped:
            raise exceptions.PermissionDenied("A workspace-scoped key cannot create workspaces.")
        payload = WorkspaceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        workspace = workspace_create(
            workspace_id=data["id"],
            name=data["name"],
            description=data["description"],
            search_language=data["search_language"],
            actor=request.user.actor,
            request_id=request.request_id,
        )
        return Response(WorkspaceSerializer(workspace).data, status=status.HTTP_201_CREATED)


def workspace_or_404(request, workspace_id: str):
    workspace = workspace_get_for_principal(principal=request.user, workspace_id=workspace_id)
    if workspace is None:
        raise exceptions.NotFound("Workspace not found.")
    return workspace


class WorkspaceDetailApi(generics.GenericAPIView):
    serializer_class = WorkspaceSerializer
    required_role = {"GET": Role.VIEWER, "PATCH": Role.ADMIN}

    def get(self, request, workspace_id: str):
        return Response(WorkspaceSerializer(workspace_or_404(request, workspace_id)).data)

    @extend_schema(request=WorkspaceUpdateSerializer, responses=WorkspaceSerializer)
    def patch(self, request, workspace_id: str):
        workspace = workspace_or_404(request, workspace_id)
        if workspace.is_archived:
            raise Conflict("This workspace is archived; restore it first.", code="workspace_archived")
        payload = WorkspaceUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        workspace = workspace_update(
            workspace=workspace, actor=request.user.actor, request_id=request.request_id, **payload.validated_data
        )
        return Response(WorkspaceSerializer(workspace).data)


class WorkspaceArchiveStateApi(APIView):
    """POST archive or restore (`change` is workspace_archive or workspace_restore), with an optional reason."""

    required_role = Role.ADMIN
    change = None

    @extend_schema(request=WorkspaceArchiveSerializer, responses=WorkspaceSerializer)
    def post(self, request, workspace_id: str):
        payload = WorkspaceArchiveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        workspace = self.change(
            workspace=workspace_or_404(request, workspace_id),
            actor=request.user.actor,
            reason=payload.validated_data["reason"],
            request_id=request.request_id,
        )
        return Response(WorkspaceSerializer(workspace).data)


class WorkspaceBulkChangeApi(APIView):
    """POST {"ids": [...], "reason"}: archive or restore (`action`) each listed workspace, in one transaction."""

    required_role = Role.ADMIN
    action = None

    @extend_schema(request=WorkspaceBulkChangeSerializer, responses=WorkspaceBulkChangeResultSerializer)
    def post(self, request):
        payload = WorkspaceBulkChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = workspaces_bulk_change(
            action=self.action,
            workspace_ids=payload.validated_data["ids"],
            reachable=workspace_list_administered(principal=request.user, among=payload.validated_data["ids"]),
            actor=request.user.actor,
            reason=payload.validated_data["reason"],
            request_id=request.request_id,
        )
        return Response(WorkspaceBulkChangeResultSerializer(result).data)


class WorkspaceBulkPreviewApi(APIView):
    """GET what archive-matching or restore-matching would change now: the total and a sample."""

    required_role = Role.ADMIN

    @extend_schema(parameters=[WorkspaceBulkPreviewQuerySerializer], responses=WorkspaceBulkPreviewSerializer)
    def get(self, request):
        query = WorkspaceBulkPreviewQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = dict(query.validated_data)
        preview = workspaces_bulk_preview(
            action=filters.pop("action"),
            sample_limit=filters.pop("sample_limit"),
            reachable=workspace_list_administered(principal=request.user),
            filters=filters,
        )
        return Response(WorkspaceBulkPreviewSerializer(preview).data)


class WorkspaceChangeMatchingApi(APIView):
    """POST the preview's filter with `confirm: true` and the `expected_total` it showed.

    If the count changed since, nothing changes and the answer is 409 with the actual count.
    """

    required_role = Role.ADMIN
    action = None

    @extend_schema(request=WorkspaceChangeMatchingSerializer, responses=WorkspaceChangeMatchingResultSerializer)
    def post(self, request):
        payload = WorkspaceChangeMatchingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        filters = dict(payload.validated_data)
        del filters["confirm"]
        result = workspaces_change_matching(
            action=self.action,
            expected_total=filters.pop("expected_total"),
            reason=filters.pop("reason"),
            filters=filters,
            reachable=workspace_list_administered(principal=request.user),
            actor=request.user.actor,
            request_id=request.request_id,
        )
        return Response(WorkspaceChangeMatchingResultSerializer(result).data)
