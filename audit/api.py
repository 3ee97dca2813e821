from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.selectors import audit_log_get, audit_log_list
from audit.serializers import AuditLogQuerySerializer, AuditLogSerializer
from core.roles import Role


class AuditLogListApi(generics.GenericAPIView):
    serializer_class = AuditLogSerializer
    required_role = Role.ADMIN

    @extend_schema(
        operation_id="audit_logs_list", parameters=[AuditLogQuerySerializer], responses=AuditLogSerializer(many=True)
    )
    def get(self, request):
        query = AuditLogQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        scope = request.user.reachable_workspace_ids()
        logs = audit_log_list(filters=query.validated_data, workspace_scope=scope)
        page = self.paginate_queryset(logs)
        return self.get_paginated_response(AuditLogSerializer(page, many=True).data)


class AuditLogDetailApi(APIView):
    required_role = Role.ADMIN

    @extend_schema(responses=AuditLogSerializer)
    def get(self, request, log_id: int):
        scope = request.user.reachable_workspace_ids()
        log = audit_log_get(log_id=log_id, workspace_scope=scope)
        if log is None:
            raise exceptions.NotFound("Audit log not found.")
        return Response(AuditLogSerializer(log).data)
