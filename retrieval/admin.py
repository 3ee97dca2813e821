from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin
from core.errors import DomainError
from retrieval.evaluation.runs import evaluation_run_request
from retrieval.evaluation.sets import MAX_GRADE, question_text, split_for
from retrieval.models import (
    CorpusStat,
    EvaluationJudgement,
    EvaluationQuestion,
    EvaluationRun,
    EvaluationRunKind,
    EvaluationSet,
    EvaluationSplit,
    TermStat,
)
from workspaces.admin import admin_actor

# Both kept exact by database triggers.


@admin.register(CorpusStat)
class CorpusStatAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "chunk_count", "total_length"]
    search_fields = ["workspace__id"]


@admin.register(TermStat)
class TermStatAdmin(ReadOnlyAdmin):
    list_display = ["lexeme", "workspace", "df"]
    list_filter = ["workspace"]
    search_fields = ["lexeme"]


class EvaluationSetForm(forms.ModelForm):
    class Meta:
        model = EvaluationSet
        fields = ["workspace", "name", "description", "test_share"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("A set needs a name.")
        return name

    def clean_test_share(self):
        share = self.cleaned_data["test_share"]
        if not 0 <= share < 1:
            raise forms.ValidationError("At least 0 and below 1.")
        return share


class EvaluationRunInline(admin.TabularInline):
    model = EvaluationRun
    fields = ["created_at", "kind", "status", "split", "questions", "scores", "requested_by", "error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = "Runs (newest first)"

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at", "-id")

    @admin.display(description="scores")
    def scores(self, obj):
        return " · ".join(f"{name} {value:.4f}" for name, value in obj.metrics.items() if value is not None)


@admin.register(EvaluationSet)
class EvaluationSetAdmin(admin.ModelAdmin):
    """Sets are made here or in the web app; their questions are listed under Evaluation questions.
    Scoring and tuning are queued for a worker, as from the web app."""

    form = EvaluationSetForm
    list_display = ["name", "workspace", "question_count", "updated_at"]
    list_filter = ["workspace"]
    search_fields = ["name", "workspace__id"]
    actions = ["score_selected", "tune_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_total=Count("questions"))

    def get_inlines(self, request, obj):
        return [EvaluationRunInline] if obj else []

    def get_readonly_fields(self, request, obj=None):
        return ["workspace"] if obj else []  # its questions' documents belong to that workspace

    @admin.display(description="questions", ordering="question_total")
    def question_count(self, obj):
        url = reverse("admin:retrieval_evaluationquestion_changelist") + f"?evaluation_set__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.question_total)

    @admin.action(description="Score selected sets (queued for a worker)")
    def score_selected(self, request, queryset):
        self._request_runs(request, queryset, EvaluationRunKind.EVAL)

    @admin.action(description="Tune the fusion on selected sets (saved only when significantly better)")
    def tune_selected(self, request, queryset):
        self._request_runs(request, queryset, EvaluationRunKind.TUNE)

    def _request_runs(self, request, queryset, kind):
        for evaluation_set in queryset:
            evaluation_run_request(evaluation_set=evaluation_set, kind=kind, actor=admin_actor(request))
        self.message_user(request, f"Queued for {queryset.count()} set(s); the runs show on each set's page.")


class EvaluationQuestionForm(forms.ModelForm):
    split = forms.ChoiceField(
        choices=[("", "Decided by the question's text"), *EvaluationSplit.choices],
        required=False,
        help_text="Tuning only ever looks at the train part.",
    )

    class Meta:
        model = EvaluationQuestion
        fields = ["evaluation_set", "query", "split", "answer"]

    def clean_query(self):
        try:
            query = question_text(self.cleaned_data["query"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        # Checked here: on a change the set is read-only, so the form leaves the constraint out.
        evaluation_set = self.cleaned_data.get("evaluation_set") or getattr(self.instance, "evaluation_set", None)
        others = EvaluationQuestion.objects.filter(evaluation_set=evaluation_set, query=query).exclude(
            pk=self.instance.pk
        )
        if evaluation_set and others.exists():
            raise forms.ValidationError("The set already has this question.")
        return query

    def save(self, commit=True):
        question = super().save(commit=False)
        question.split = self.cleaned_data["split"] or split_for(question.query, question.evaluation_set.test_share)
        if commit:
            question.save()
        return question


class JudgementFormSet(forms.BaseInlineFormSet):
    """A question needs a document that answers it, from its set's workspace."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        if not kept:
            raise forms.ValidationError("A question needs at least one document that answers it.")
        workspace_id = self.instance.evaluation_set.workspace_id
        for form in kept:
            if form.cleaned_data["document"].workspace_id != workspace_id:
                form.add_error("document", "Not a document of the set's workspace.")
            if not 1 <= form.cleaned_data["grade"] <= MAX_GRADE:
                form.add_error("grade", f"1 or more, at most {MAX_GRADE}.")


class EvaluationJudgementInline(admin.TabularInline):
    model = EvaluationJudgement
    formset = JudgementFormSet
    fields = ["document", "grade"]
    autocomplete_fields = ["document"]
    extra = 1
    verbose_name = "document that answers it"
    verbose_name_plural = "Documents that answer it (grade 1 relevant, 2 and more better)"


@admin.register(EvaluationQuestion)
class EvaluationQuestionAdmin(admin.ModelAdmin):
    form = EvaluationQuestionForm
    list_display = ["__str__", "evaluation_set", "split", "source", "judged"]
    list_filter = ["split", "source", "evaluation_set__workspace", "evaluation_set"]
    list_select_related = ["evaluation_set"]
    search_fields = ["query", "external_id", "evaluation_set__name"]
    autocomplete_fields = ["evaluation_set"]
    inlines = [EvaluationJudgementInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(judgement_total=Count("judgements"))

    def get_readonly_fields(self, request, obj=None):
        return ["evaluation_set", "source", "external_id", "origin"] if obj else ["source"]

    @admin.display(description="documents", ordering="judgement_total")
    def judged(self, obj):
        return obj.judgement_total

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        EvaluationSet.objects.filter(pk=form.instance.evaluation_set_id).update(updated_at=timezone.now())


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "status", "split", "questions", "ndcg", "requested_by"]
    list_filter = ["kind", "status", "evaluation_set__workspace"]
    list_select_related = ["evaluation_set"]
    search_fields = ["evaluation_set__name", "evaluation_set__workspace__id", "error"]

    @admin.display(description="nDCG@10")
    def ndcg(self, obj):
        value = obj.metrics.get("ndcg@10")
        return "" if value is None else f"{value:.4f}"
