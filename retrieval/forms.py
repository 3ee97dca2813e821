from django import forms

MODES = [("hybrid", "Hybrid"), ("vector", "Vector"), ("keyword", "Keyword")]


class InspectForm(forms.Form):
    """A query as /search takes it: mode, depth, rerank and filters."""

    query = forms.CharField(max_length=4000)
    mode = forms.ChoiceField(choices=MODES, initial="hybrid", required=False)
    limit = forms.IntegerField(min_value=1, max_value=100, initial=10, required=False)
    rerank = forms.BooleanField(required=False, initial=True, help_text="When a reranker is configured.")
    by_document = forms.BooleanField(required=False, help_text="Also show the results grouped by document.")
    tags = forms.CharField(required=False, max_length=500, help_text="Comma separated: documents tagged with any.")
    evidence_types = forms.CharField(required=False, max_length=500, help_text="Comma separated.")

    def clean(self):
        data = super().clean()
        data["mode"] = data.get("mode") or "hybrid"
        data["limit"] = data.get("limit") or 10
        return data

    def search_filters(self) -> dict:
        return {
            "filters": {"tags": _split(self.cleaned_data["tags"])} if self.cleaned_data["tags"] else {},
            "evidence_types": _split(self.cleaned_data["evidence_types"]),
        }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
