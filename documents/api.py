from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.response import Response

from documents.selectors import document_get, document_list
from documents.serializers import DocumentListQuerySerializer, DocumentSerializer
from documents.services import document_delete
from workspaces.models import Role
from workspaces.scoping import WORKSPACE_HEADER, WorkspaceScopedMixin

WORKSPACE_PARAMETER = OpenApiParameter(WORKSPACE_HEADER, str, OpenApiParameter.HEADER, required=False)


class DocumentListApi(WorkspaceScopedMixin, generics.GenericAPIView):
    serializer_class = DocumentSerializer

    @extend_schema(
        operation_id="documents_list",
        parameters=[WORKSPACE_PARAMETER, DocumentListQuerySerializer],
        responses=DocumentSerializer(many=True),
    )
    def get(self, request):
        query = DocumentListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        documents = document_list(workspace=self.workspace, status=query.validated_data.get("status"))
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(DocumentSerializer(page, many=True).data)


class DocumentDetailApi(WorkspaceScopedMixin, generics.GenericAPIView):
    serializer_class = DocumentSerializer
    required_role = {"GET": Role.VIEWER, "DELETE": Role.EDITOR}

    def get_document(self, document_id):
        document = document_get(workspace=self.workspace, document_id=document_id)
        if document is None:
            raise exceptions.NotFound("Document not found.")
        return document

    @extend_schema(parameters=[WORKSPACE_PARAMETER])
    def get(self, request, document_id):
        return Response(DocumentSerializer(self.get_document(document_id)).data)

    @extend_schema(parameters=[WORKSPACE_PARAMETER], responses={204: None})
    def delete(self, request, document_id):
        document_delete(document=self.get_document(document_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
