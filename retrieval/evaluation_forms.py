from django import forms

from documents.models import Document, DocumentStatus
from retrieval.models import EvaluationSplit

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class EvaluationSetForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    test_share = forms.FloatField(
        min_value=0,
        max_value=0.9,
        initial=0.3,
        help_text="Share of the questions held out from tuning, to measure it honestly.",
    )


class QuestionForm(forms.Form):
    query = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Question")
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The documents that answer it.",
    )
    answer = forms.CharField(
        required=False, max_length=2000, help_text="Optional: words a right passage contains (answer in the top 5)."
    )
    split = forms.ChoiceField(
        choices=[("", "Decided by the question's text"), *EvaluationSplit.choices], required=False
    )

    def __init__(self, *args, workspace, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = documents or Document.objects.filter(workspace=workspace, status=DocumentStatus.COMPLETED)
        self.fields["documents"].queryset = choices.order_by("title", "pk").only("pk", "title", "source_uri")
        self.fields["documents"].label_from_instance = lambda document: (
            f"{document.title} ({document.source_uri})" if document.source_uri else document.title
        )


class ImportForm(forms.Form):
    file = forms.FileField(help_text='JSONL: one {"query", "documents": [source URIs], "answer"?, "split"?} a line.')

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The file is larger than 5 MB.")
        try:
            return upload.read().decode("utf-8").splitlines()
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


class FeedbackQuestionForm(QuestionForm):
    """A chat log's question made an evaluation question: into which set (made if new)."""

    evaluation_set = forms.CharField(
        max_length=200,
        label="Evaluation set",
        initial="From feedback",
        widget=forms.TextInput(attrs={"list": "evaluation-set-names"}),
        help_text="An existing set's name, or a new one.",
    )

    field_order = ["evaluation_set", "query", "documents", "answer", "split"]
