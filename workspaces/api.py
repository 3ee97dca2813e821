from django.db import IntegrityError
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ragsite.errors import Conflict
from workspaces.models import Role
from workspaces.selectors import workspace_get_for_principal, workspace_list_for_principal
from workspaces.serializers import (
    WorkspaceArchiveSerializer,
    WorkspaceCreateSerializer,
    WorkspaceListQuerySerializer,
    WorkspaceSerializer,
    WorkspaceUpdateSerializer,
)
from workspaces.services import workspace_create, workspace_update


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
        workspaces = workspace_list_for_principal(principal=request.user)
        status_filter = query.validated_data["status"]
        if status_filter == "active":
            workspaces = workspaces.active()
        elif status_filter == "archived":
            workspaces = workspaces.archived()
        if text := query.validated_data.get("q"):
            workspaces = workspaces.filter(Q(id__icontains=text) | Q(name__icontains=text))
        page = self.paginate_queryset(workspaces)
        return self.get_paginated_response(WorkspaceSerializer(page, many=True).data)

    @extend_schema(request=WorkspaceCreateSerializer, responses={201: WorkspaceSerializer})
    def post(self, request):
        if request.user.workspace_id is not None:
            raise exceptions.PermissionDenied("A workspace-scoped key cannot create workspaces.")
        payload = WorkspaceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            workspace = workspace_create(
                workspace_id=data["id"],
                name=data["name"],
                description=data["description"],
                search_language=data["search_language"],
                actor=request.user.actor,
                request_id=request.request_id,
            )
        except IntegrityError:
            raise Conflict(f"Workspace '{data['id']}' already exists.", code="workspace_exists") from None
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
