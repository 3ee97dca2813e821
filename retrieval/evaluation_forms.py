from dataclasses import dataclass

from django import forms
from django.urls import reverse

from documents.models import Document, DocumentStatus
from documents.selectors import documents_matching, documents_picked
from retrieval.models import EvaluationSplit
from workspaces.models import Workspace

MAX_IMPORT_BYTES = 5 * 1024 * 1024
PICKER_MATCHES = 20  # documents a search in the picker shows
PICKER_ALL_UP_TO = 12  # a workspace this small shows all its documents before any search
MAX_PICKER_TEXT = 200


@dataclass
class DocumentChoices:
    chosen: list[Document]  # ticked, always shown first
    others: list[Document]  # the search's matches, or the suggestions
    more: bool  # the search matched more than it shows
    text: str


def document_choices(*, workspace: Workspace, chosen_ids, suggested_ids=(), text: str = "") -> DocumentChoices:
    """What a document picker shows: the ticked documents, then the search's first matches (or,
    before any search, the suggested documents, or every document of a small workspace). It
    reads a page of documents, never all of them, whatever the workspace's size."""
    text = text.strip()[:MAX_PICKER_TEXT]
    chosen = list(documents_picked(workspace=workspace, ids=chosen_ids).order_by("title", "pk"))
    ticked = {document.pk for document in chosen}
    if text:
        found = documents_matching(workspace=workspace, text=text).exclude(pk__in=ticked)
        page = list(found[: PICKER_MATCHES + 1])
        return DocumentChoices(chosen, page[:PICKER_MATCHES], len(page) > PICKER_MATCHES, text)
    suggested = {document.pk: document for document in documents_picked(workspace=workspace, ids=suggested_ids)}
    others = [suggested[pk] for pk in _in_order(suggested_ids, suggested) if pk not in ticked]
    if not others:
        few = list(documents_matching(workspace=workspace, text="")[: PICKER_ALL_UP_TO + 1])
        others = [document for document in few if document.pk not in ticked] if len(few) <= PICKER_ALL_UP_TO else []
    return DocumentChoices(chosen, others, False, text)


def _in_order(ids, found: dict) -> list:
    by_text = {str(pk): pk for pk in found}
    return list(dict.fromkeys(by_text[str(text)] for text in ids if str(text) in by_text))


class DocumentPicker(forms.Widget):
    """Tick the documents that answer a question: a search box (htmx asks the server for
    matches as one types) over a short list, so it works for a workspace of any size."""

    template_name = "retrieval/widgets/document_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.workspace: Workspace | None = None
        self.suggested_ids: list[str] = []
        self.text = ""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return False  # no box ticked is an empty choice, not a missing field

    def format_value(self, value):
        return [str(item.pk if isinstance(item, Document) else item) for item in (value or [])]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["choices"] = document_choices(
            workspace=self.workspace,
            chosen_ids=context["widget"]["value"],
            suggested_ids=self.suggested_ids,
            text=self.text,
        )
        context["widget"]["url"] = reverse("app-evaluation-documents", args=[self.workspace.pk])
        context["widget"]["suggested"] = ",".join(self.suggested_ids)
        return context


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
        widget=DocumentPicker,
        help_text="The documents that answer it: find them by title or path, and tick them.",
    )
    answer = forms.CharField(
        required=False, max_length=2000, help_text="Optional: words a right passage contains (answer in the top 5)."
    )
    split = forms.ChoiceField(
        choices=[("", "Decided by the question's text"), *EvaluationSplit.choices], required=False
    )

    def __init__(self, *args, workspace, suggested: list[Document] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # Ticked ids are checked against the workspace's documents; the picker shows only a page.
        self.fields["documents"].queryset = Document.objects.filter(
            workspace=workspace, status=DocumentStatus.COMPLETED
        )
        picker = self.fields["documents"].widget
        picker.workspace = workspace
        picker.suggested_ids = [str(document.pk) for document in suggested]
        picker.text = (self.data.get("q") or "") if self.is_bound else ""


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
