from django.core.validators import RegexValidator
from django.db import connection
from rest_framework import serializers

from workspaces.models import Workspace


def validate_search_language(value: str) -> str:
    """A PostgreSQL text-search configuration that exists (english, simple, german, ...)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [value])
        if cursor.fetchone() is None:
            raise serializers.ValidationError(f"Unknown text-search language '{value}'.")
    return value


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
    search_language = serializers.CharField(
        max_length=32, required=False, default="english", validators=[validate_search_language]
    )


class WorkspaceListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    status = serializers.ChoiceField(choices=["active", "archived", "all"], required=False, default="active")


class WorkspaceUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    search_language = serializers.CharField(required=False, max_length=32, validators=[validate_search_language])


class WorkspaceArchiveSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
