from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.roles import Role
from documents.indexing import documents_request_index, workspace_request_reindex
from documents.selectors import document_get, document_list, documents_counted, stats_for
from documents.serializers import (
    DocumentCreateSerializer,
    DocumentListQuerySerializer,
    DocumentSerializer,
    ReindexRequestSerializer,
)
from documents.services import DocumentInput, document_delete, documents_upload
from documents.uploads import parse_metadata_field, read_uploaded_files
from providers.embeddings import get_embedder
from workspaces.scoping import WORKSPACE_HEADER, WorkspaceScopedMixin, workspace_for_request

WORKSPACE_PARAMETER = OpenApiParameter(WORKSPACE_HEADER, str, OpenApiParameter.HEADER, required=False)


class DocumentListApi(WorkspaceScopedMixin, generics.GenericAPIView):
    serializer_class = DocumentSerializer
    parser_classes = [JSONParser, MultiPartParser]
    required_role = {"GET": Role.VIEWER, "POST": Role.EDITOR}

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

    @extend_schema(
        operation_id="documents_create",
        parameters=[WORKSPACE_PARAMETER],
        request={"application/json": DocumentCreateSerializer, "multipart/form-data": DocumentCreateSerializer},
        responses={
            202: PolymorphicProxySerializer(
                component_name="DocumentsCreated",
                serializers=[DocumentSerializer, DocumentSerializer(many=True)],
                resource_type_field_name=None,
                many=False,
            )
        },
        description="Upload Markdown: multipart `files` (several at once, .md/.markdown/.txt), answered with "
        "the list of documents, or JSON `{title, content, metadata}`, answered with the document. Documents "
        "are indexed by a worker; poll their status.",
    )
    def post(self, request):
        if request.FILES:
            metadata = parse_metadata_field(request.data.get("metadata"))
            inputs = read_uploaded_files(request.FILES.getlist("files"), metadata=metadata)
            report = documents_upload(workspace=self.workspace, inputs=inputs)
            documents = documents_counted(workspace=self.workspace, documents=report.documents)
            return Response(DocumentSerializer(documents, many=True).data, status=status.HTTP_202_ACCEPTED)
        if not isinstance(request.data, dict):
            raise DomainError("Send a JSON object or multipart files.", code="validation_error")
        payload = DocumentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        document = DocumentInput(
            content=data["content"],
            source_uri=data.get("source_uri", ""),
            title=data.get("title", ""),
            metadata=parse_metadata_field(data.get("metadata")),
        )
        report = documents_upload(workspace=self.workspace, inputs=[document])
        (document,) = documents_counted(workspace=self.workspace, documents=report.documents)
        return Response(DocumentSerializer(document).data, status=status.HTTP_202_ACCEPTED)


class DocumentMixin(WorkspaceScopedMixin):
    serializer_class = DocumentSerializer

    def get_document(self, document_id):
        document = document_get(workspace=self.workspace, document_id=document_id)
        if document is None:
            raise exceptions.NotFound("Document not found.")
        return document


class DocumentDetailApi(DocumentMixin, generics.GenericAPIView):
    required_role = {"GET": Role.VIEWER, "DELETE": Role.EDITOR}

    @extend_schema(parameters=[WORKSPACE_PARAMETER])
    def get(self, request, document_id):
        return Response(DocumentSerializer(self.get_document(document_id)).data)

    @extend_schema(parameters=[WORKSPACE_PARAMETER], responses={204: None})
    def delete(self, request, document_id):
        document_delete(document=self.get_document(document_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DocumentReindexApi(DocumentMixin, generics.GenericAPIView):
    """POST only: the detail's GET and DELETE are not the reindex address's."""

    required_role = Role.EDITOR

    @extend_schema(
        operation_id="document_reindex",
        parameters=[WORKSPACE_PARAMETER],
        request=None,
        responses={202: DocumentSerializer},
    )
    def post(self, request, document_id):
        document = self.get_document(document_id)
        documents_request_index(document_ids=[document.pk])
        return Response(DocumentSerializer(document).data, status=status.HTTP_202_ACCEPTED)


class WorkspaceReindexApi(WorkspaceScopedMixin, generics.GenericAPIView):
    required_role = Role.EDITOR
    serializer_class = ReindexRequestSerializer

    @extend_schema(
        operation_id="documents_reindex_workspace",
        parameters=[WORKSPACE_PARAMETER],
        request=ReindexRequestSerializer,
        responses={202: dict},
    )
    def post(self, request):
        payload = ReindexRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        only_stale = payload.validated_data["only_stale"]
        count = workspace_request_reindex(workspace=self.workspace, only_stale=only_stale)
        return Response(
            {"workspace_id": self.workspace.pk, "documents": count, "only_stale": only_stale},
            status=status.HTTP_202_ACCEPTED,
        )


class StatsApi(APIView):
    """Counts and the embedding model; one workspace's when one is named or the key is scoped."""

    @extend_schema(responses=dict)
    def get(self, request):
        workspace = None
        if (
            request.headers.get(WORKSPACE_HEADER)
            or request.query_params.get("workspace_id")
            or request.user.workspace_id
        ):
            workspace = workspace_for_request(request)
        body = stats_for(workspace=workspace)
        embedder = get_embedder()
        body["embedding"] = {
            "provider": embedder.provider,
            "model": embedder.model_name,
            "dimension": embedder.dimension,
        }
        return Response(body)
