from django.core.validators import RegexValidator
from rest_framework import serializers

from workspaces.models import Workspace

workspace_id_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,63}$", "Use 1-64 lower-case letters, digits, '-' or '_'."
)


class WorkspaceSerializer(serializers.ModelSerializer):
    is_archived = serializers.BooleanField(read_only=True)

    class Meta:
        model = Workspace
        fields = [
            "id",
            "name",
            "description",
            "search_language",
            "is_archived",
            "archived_at",
            "archive_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WorkspaceCreateSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64, validators=[workspace_id_validator])
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    search_language = serializers.CharField(max_length=32, required=False, default="english")


class WorkspaceListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(choices=["active", "archived", "all"], required=False, default="active")
