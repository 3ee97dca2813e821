from django import forms
from django.contrib.auth import get_user_model

from core.roles import Role
from workspaces.serializers import MAX_BULK_IDS
from workspaces.services import ARCHIVE, RESTORE
from workspaces.validators import validate_search_language, validate_workspace_id_not_reserved, workspace_id_validator

STATUS_CHOICES = [("active", "Active"), ("archived", "Archived"), ("all", "All")]
BULK_ACTION_CHOICES = [(ARCHIVE, "Archive"), (RESTORE, "Restore")]


class WorkspaceFilterForm(forms.Form):
    """The workspace list's search box and status filter (the filter the API's list uses)."""

    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)

    def filters(self) -> dict:
        """The filters to apply; a value that does not validate is ignored, as a search box should."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"q": data.get("q", ""), "status": data.get("status") or "active"}


class MembershipForm(forms.Form):
    """Add a person to a workspace, or change their role there."""

    username = forms.CharField(max_length=150, label="User name")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(f"There is no active user called “{username}”.")
        self.cleaned_data["user"] = user
        return username


class WorkspaceEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    search_language = forms.CharField(
        max_length=32,
        initial="english",
        validators=[validate_search_language],
        help_text="The PostgreSQL text-search configuration keyword search uses (english, simple, german, ...). "
        "Changing it indexes every document again.",
    )


class WorkspaceCreateForm(WorkspaceEditForm):
    id = forms.CharField(
        max_length=64,
        label="Id",
        validators=[workspace_id_validator, validate_workspace_id_not_reserved],
        help_text="Lower-case letters, digits, '-' or '_'; it names the workspace in URLs and the API.",
    )
    field_order = ["id", "name", "description", "search_language"]


class ArchiveForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class WorkspaceIdsField(forms.Field):
    """The ids of the workspaces ticked on the list (the checkboxes named `ids`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "Select at least one workspace."}

    def to_python(self, value):
        return [str(item) for item in value] if value else []

    def validate(self, value):
        super().validate(value)
        if len(value) > MAX_BULK_IDS:
            raise forms.ValidationError(f"Select at most {MAX_BULK_IDS} workspaces at a time.")


class WorkspaceBulkForm(forms.Form):
    """Archive or restore the workspaces selected on the list."""

    ids = WorkspaceIdsField()
    action = forms.ChoiceField(choices=BULK_ACTION_CHOICES)
    reason = forms.CharField(required=False, max_length=2000)


class WorkspaceMatchingForm(WorkspaceFilterForm):
    """Archive or restore everything the list's filter matches: the preview asks with this (GET)."""

    action = forms.ChoiceField(choices=BULK_ACTION_CHOICES)


class WorkspaceMatchingConfirmForm(WorkspaceMatchingForm):
    """The confirmation: the filter again, and the total the preview showed."""

    expected_total = forms.IntegerField(min_value=0)
    reason = forms.CharField(required=False, max_length=2000)
