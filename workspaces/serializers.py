from rest_framework import serializers

from core.fields import BooleanField, IntegerField, TextField
from workspaces.models import Workspace
from workspaces.validators import validate_search_language, validate_workspace_id_not_reserved, workspace_id_validator

MAX_BULK_IDS = 1000


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
    id = TextField(max_length=64, validators=[workspace_id_validator, validate_workspace_id_not_reserved])
    name = TextField(max_length=200)
    description = TextField(required=False, allow_blank=True, default="")
    search_language = TextField(max_length=32, required=False, default="english", validators=[validate_search_language])


class WorkspaceFilterSerializer(serializers.Serializer):
    """The filter shared by the list, the bulk preview and the matching changes."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    created_after = serializers.DateTimeField(required=False)
    created_before = serializers.DateTimeField(required=False)


class WorkspaceListQuerySerializer(WorkspaceFilterSerializer):
    status = serializers.ChoiceField(choices=["active", "archived", "all"], required=False, default="active")


class WorkspaceBulkPreviewQuerySerializer(WorkspaceFilterSerializer):
    """`action`, or `status` to infer it from: active workspaces are archived, archived ones restored."""

    ACTION_FOR_STATUS = {"active": "archive", "archived": "restore"}

    action = serializers.ChoiceField(choices=["archive", "restore"], required=False)
    status = serializers.ChoiceField(choices=list(ACTION_FOR_STATUS), required=False)
    sample_limit = serializers.IntegerField(required=False, default=10, min_value=0, max_value=100)

    def validate(self, data):
        status = data.pop("status", None)
        inferred = self.ACTION_FOR_STATUS.get(status)
        action = data.get("action") or inferred
        if action is None:
            raise serializers.ValidationError({"action": "Give action (archive or restore), or status to infer it."})
        if inferred and inferred != action:
            raise serializers.ValidationError({"status": f"To {action}, the matching workspaces are never {status}."})
        return {**data, "action": action}


class WorkspaceBulkPreviewSerializer(serializers.Serializer):
    action = serializers.CharField()
    total = serializers.IntegerField()
    sample = WorkspaceSerializer(many=True)


class WorkspaceChangeMatchingSerializer(WorkspaceFilterSerializer):
    confirm = BooleanField()
    expected_total = IntegerField(min_value=0)
    reason = TextField(required=False, allow_blank=True, max_length=2000, default="")

    def validate_confirm(self, value):
        if value is not True:
            raise serializers.ValidationError("Set confirm to true to change every matching workspace.")
        return value


class WorkspaceChangeMatchingResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    total = serializers.IntegerField()
    workspace_ids = serializers.ListField(child=serializers.CharField())


class WorkspaceBulkChangeSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=TextField(max_length=64), min_length=1, max_length=MAX_BULK_IDS, allow_empty=False
    )
    reason = TextField(required=False, allow_blank=True, max_length=2000, default="")


class WorkspaceBulkOutcomeSerializer(serializers.Serializer):
    id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["archived", "already_archived", "restored", "already_active"])


class WorkspaceBulkChangeResultSerializer(serializers.Serializer):
    action = serializers.CharField()
    requested = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    results = WorkspaceBulkOutcomeSerializer(many=True)
    not_found = serializers.ListField(child=serializers.CharField())


class WorkspaceUpdateSerializer(serializers.Serializer):
    name = TextField(required=False, max_length=200)
    description = TextField(required=False, allow_blank=True)
    search_language = TextField(required=False, max_length=32, validators=[validate_search_language])


class WorkspaceArchiveSerializer(serializers.Serializer):
    reason = TextField(required=False, allow_blank=True, max_length=2000, default="")
