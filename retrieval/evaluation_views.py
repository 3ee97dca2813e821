"""Evaluation sets in the web app: build a workspace's questions, score the workspace on them,
tune its fusion, and see what each run measured. Scoring and tuning run on a worker."""

import dataclasses

from django.contrib import messages
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from core.roles import Role
from retrieval.evaluation.runs import evaluation_run_request
from retrieval.evaluation.sets import (
    evaluation_question_add,
    evaluation_question_delete,
    evaluation_set_create,
    evaluation_set_export_jsonl,
    evaluation_set_import_jsonl,
)
from retrieval.evaluation_forms import EvaluationSetForm, ImportForm, QuestionForm, document_choices
from retrieval.fusion_config import fusion_settings_for, site_fusion_settings, workspace_fusion_reset
from retrieval.models import EvaluationQuestion, EvaluationRunKind, EvaluationRunStatus, EvaluationSet
from workspaces.web import page_workspace, signed_in


@signed_in
def evaluation_sets_page(request, workspace_id: str):
    writes = request.method == "POST"
    workspace = page_workspace(
        request, workspace_id, required_role=Role.EDITOR if writes else Role.VIEWER, writes=writes
    )
    form = EvaluationSetForm(request.POST or None)
    if writes and form.is_valid():
        try:
            evaluation_set = evaluation_set_create(workspace=workspace, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("name", exc.message)
        else:
            messages.success(request, f"Evaluation set “{evaluation_set.name}” made: add its questions.")
            return redirect("app-evaluation-set", workspace_id=workspace.pk, set_id=evaluation_set.pk)
    sets = []
    for evaluation_set in EvaluationSet.objects.filter(workspace=workspace).annotate(question_count=Count("questions")):
        latest = evaluation_set.runs.filter(kind=EvaluationRunKind.EVAL, status=EvaluationRunStatus.DONE).first()
        sets.append(
            {"set": evaluation_set, "latest": latest, "ndcg": latest.metrics.get("ndcg@10") if latest else None}
        )
    context = {
        "workspace": workspace,
        "form": form,
        "sets": sets,
        "fusion": fusion_settings_for(workspace),
        "site_fusion": site_fusion_settings(),
        "own": (workspace.retrieval_settings or {}).get("fusion"),
        "tuned": (workspace.retrieval_settings or {}).get("tuned"),
        "role": request.principal.role_in(workspace.pk),
    }
    return render(request, "retrieval/evaluation_sets.html", context, status=400 if form.errors else 200)


@signed_in
def evaluation_set_page(request, workspace_id: str, set_id: int):
    writes = request.method == "POST"
    workspace = page_workspace(
        request, workspace_id, required_role=Role.EDITOR if writes else Role.VIEWER, writes=writes
    )
    evaluation_set = _set_of(workspace, set_id)
    form = QuestionForm(request.POST or None, workspace=workspace)
    if writes and form.is_valid():
        try:
            evaluation_question_add(
                evaluation_set=evaluation_set,
                query=form.cleaned_data["query"],
                documents={document: 1 for document in form.cleaned_data["documents"]},
                answer=form.cleaned_data["answer"],
                split=form.cleaned_data["split"] or None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Question added.")
            return redirect("app-evaluation-set", workspace_id=workspace.pk, set_id=evaluation_set.pk)
    return _set_page(request, workspace, evaluation_set, form=form, import_form=ImportForm())


@signed_in
@require_POST
def evaluation_set_import_page(request, workspace_id: str, set_id: int):
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    evaluation_set = _set_of(workspace, set_id)
    import_form = ImportForm(request.POST, request.FILES)
    if import_form.is_valid():
        try:
            report = evaluation_set_import_jsonl(evaluation_set=evaluation_set, lines=import_form.cleaned_data["file"])
        except DomainError as exc:
            import_form.add_error("file", exc.message)
        else:
            unknown = len(report.unknown_documents)
            messages.success(
                request,
                f"Imported {report.questions} question{'s' if report.questions != 1 else ''}"
                + (f"; {report.skipped} skipped, naming no document of this workspace" if report.skipped else "")
                + (f"; {unknown} named document{'s' if unknown != 1 else ''} not found" if unknown else "")
                + ".",
            )
            return redirect("app-evaluation-set", workspace_id=workspace.pk, set_id=evaluation_set.pk)
    form = QuestionForm(workspace=workspace)
    return _set_page(request, workspace, evaluation_set, form=form, import_form=import_form, status=400)


@signed_in
def evaluation_set_export_page(request, workspace_id: str, set_id: int):
    workspace = page_workspace(request, workspace_id, required_role=Role.VIEWER)
    evaluation_set = _set_of(workspace, set_id)
    response = StreamingHttpResponse(
        evaluation_set_export_jsonl(evaluation_set=evaluation_set), content_type="application/jsonl"
    )
    response["Content-Disposition"] = f'attachment; filename="{workspace.pk}-evaluation-{evaluation_set.pk}.jsonl"'
    return response


@signed_in
@require_POST
def evaluation_question_delete_page(request, workspace_id: str, set_id: int, question_id: int):
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR, writes=True)
    question = EvaluationQuestion.objects.filter(
        pk=question_id, evaluation_set_id=set_id, evaluation_set__workspace=workspace
    ).first()
    if question is None:
        raise NotFound("Question not found.")
    evaluation_question_delete(question=question)
    messages.success(request, "Question deleted.")
    return redirect("app-evaluation-set", workspace_id=workspace.pk, set_id=set_id)


@signed_in
@require_POST
def evaluation_run_page(request, workspace_id: str, set_id: int):
    kind = request.POST.get("kind")
    if kind not in EvaluationRunKind.values:
        raise DomainError("Ask for an evaluation or a tuning.", code="validation_error")
    # Tuning may change how the workspace searches: administrators only.
    required = Role.ADMIN if kind == EvaluationRunKind.TUNE else Role.EDITOR
    workspace = page_workspace(request, workspace_id, required_role=required, writes=True)
    evaluation_set = _set_of(workspace, set_id)
    if not evaluation_set.questions.exists():
        messages.error(request, "Add questions first: there is nothing to score.")
    else:
        evaluation_run_request(evaluation_set=evaluation_set, kind=kind, actor=request.principal.actor)
        messages.success(
            request,
            "Scoring asked for: a worker runs it; this page shows it when it is done."
            if kind == "eval"
            else "Tuning asked for: a worker runs it; this page shows it when it is done.",
        )
    return redirect("app-evaluation-set", workspace_id=workspace.pk, set_id=evaluation_set.pk)


@signed_in
@require_POST
def fusion_reset_page(request, workspace_id: str):
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN, writes=True)
    workspace_fusion_reset(workspace=workspace, actor=request.principal.actor, request_id=request.request_id)
    messages.success(request, "The workspace now searches with the site's fusion settings.")
    return redirect("app-evaluation", workspace_id=workspace.pk)


@signed_in
def evaluation_document_choices_page(request, workspace_id: str):
    """The document picker's list (htmx): the ticked documents, then what the search matches."""
    workspace = page_workspace(request, workspace_id, required_role=Role.EDITOR)
    choices = document_choices(
        workspace=workspace,
        chosen_ids=request.GET.getlist("documents"),
        suggested_ids=request.GET.get("suggested", "").split(","),
        text=request.GET.get("q", ""),
    )
    return render(request, "retrieval/_document_choices.html", {"choices": choices, "name": "documents"})


def _workspace(request, workspace_id: str):
    """Viewers see; editors change (a POST)."""
    writes = request.method == "POST"
    return page_workspace(request, workspace_id, required_role=Role.EDITOR if writes else Role.VIEWER, writes=writes)


def _set_of(workspace, set_id: int) -> EvaluationSet:
    found = EvaluationSet.objects.filter(pk=set_id, workspace=workspace).first()
    if found is None:
        raise NotFound("Evaluation set not found.")
    return found


def _set_page(request, workspace, evaluation_set, *, form, import_form, status=None):
    questions = evaluation_set.questions.prefetch_related("judgements__document").order_by("-id")
    runs = list(evaluation_set.runs.all()[:20])
    counts = evaluation_set.questions.aggregate(
        total=Count("id"), train=Count("id", filter=Q(split="train")), test=Count("id", filter=Q(split="test"))
    )
    context = {
        "workspace": workspace,
        "evaluation_set": evaluation_set,
        "questions": questions[:200],
        "question_count": counts["total"],
        "train_count": counts["train"],
        "test_count": counts["test"],
        "runs": runs,
        "busy": any(run.status in ("queued", "running") for run in runs),
        "form": form,
        "import_form": import_form,
        "fusion": dataclasses.asdict(fusion_settings_for(workspace)),
        "role": request.principal.role_in(workspace.pk),
    }
    if status is None:
        status = 400 if form.errors or import_form.errors else 200
    return render(request, "retrieval/evaluation_set.html", context, status=status)
