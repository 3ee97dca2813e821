from django import forms

from documents.models import DocumentStatus


class DocumentFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *DocumentStatus.choices])

    def status_filter(self) -> str:
        """The status to show; anything that does not validate shows every document."""
        return self.cleaned_data.get("status", "") if self.is_valid() else ""
