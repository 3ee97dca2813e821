from django import forms

STATUS_CHOICES = [("active", "Active"), ("archived", "Archived"), ("all", "All")]


class WorkspaceFilterForm(forms.Form):
    """The workspace list's search box and status filter (the filter the API's list uses)."""

    q = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=STATUS_CHOICES)

    def filters(self) -> dict:
        """The filters to apply; a value that does not validate is ignored, as a search box should."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"q": data.get("q", ""), "status": data.get("status") or "active"}
