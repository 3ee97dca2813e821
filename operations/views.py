"""The operator overview of one workspace, for its admins: counts, chat logs, export jobs and the
audit log.

Reads go through the selectors the API uses, with the API's filters; exports are created and
retried by the same services; `page_workspace` checks the admin role and the workspace as the
API does (an editor or viewer gets 403, another workspace's ids 404).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit.selectors import audit_log_get, audit_log_list
from chat.selectors import chat_log_get
from core.errors import DomainError, NotFound
from core.formats import CONTENT_TYPES
from core.htmx import render_page_or_partial, wants_partial
from core.roles import Role
from documents.selectors import stats_for
from exports.models import ExportStatus
from exports.selectors import export_job_file_open, export_job_get, export_job_list
from exports.services import export_job_create, export_job_retry
from operations.forms import (
    RATING_CHOICES,
    REFUSAL_REASON_CHOICES,
    REFUSED_CHOICES,
    ExportJobForm,
    audit_log_filters,
    chat_log_filters,
)
from operations.selectors import (
    answer_citations,
    audit_actions,
    chat_log_counts,
    chat_log_rows,
    recent_activity,
    retrieved_passages,
    site_counts,
    stage_latencies,
)
from retrieval.evaluation.sets import evaluation_question_add, evaluation_set_get_or_create
from retrieval.evaluation_forms import FeedbackQuestionForm
from retrieval.models import EvaluationSet, QuestionSource
from workspaces.web import page_workspace, signed_in

PAGE_SIZE = 50
UNSETTLED = {ExportStatus.PENDING, ExportStatus.RUNNING}


@signed_in
def overview_page(request, workspace_id: str):
    workspace = _admin_workspace(request, workspace_id)
    context = {
        "workspace": workspace,
        "stats": stats_for(workspace=workspace),
        "chat": chat_log_counts(workspace=workspace),
        "recent": recent_activity(workspace=workspace),
        # Site-wide counts for whoever /stats answers them for: a caller not limited to some workspaces.
        "site": None if request.principal.is_scoped else site_counts(),
    }
    return render(request, "operations/overview.html", context)


@signed_in
def chat_log_list_page(request, workspace_id: str):
    workspace = _admin_workspace(request, workspace_id)
    filters = chat_log_filters(request.GET)
    rows = chat_log_rows(workspace=workspace, filters=filters.filters)
    context = {
        "workspace": workspace,
        "filters": filters,
        "page": _page(request, rows) if filters.is_valid else None,
        "refused_choices": REFUSED_CHOICES,
        "reason_choices": REFUSAL_REASON_CHOICES,
        "rating_choices": RATING_CHOICES,
    }
    status = 200 if filters.is_valid else 400
    return render_page_or_partial(request, "operations/chat_log_list.html", context, status=status)


@signed_in
def chat_log_detail_page(request, workspace_id: str, log_id):
    workspace = _admin_workspace(request, workspace_id)
    log = chat_log_get(workspace=workspace, log_id=log_id)
    if log is None:
        raise NotFound("Chat log not found.")
    return _chat_log_page(request, workspace, log, question_form=_feedback_form(workspace, log))


@signed_in
@require_POST
def chat_log_question_page(request, workspace_id: str, log_id):
    """A chat log's question, with the document the operator picks as its right answer, added to
    an evaluation set (so a thumbs-down answer becomes something tuning can learn from)."""
    workspace = page_workspace(request, workspace_id, required_role=Role.ADMIN, writes=True)
    log = chat_log_get(workspace=workspace, log_id=log_id)
    if log is None:
        raise NotFound("Chat log not found.")
    form = _feedback_form(workspace, log, data=request.POST)
    if form.is_valid():
        try:
            evaluation_set = evaluation_set_get_or_create(workspace=workspace, name=form.cleaned_data["evaluation_set"])
            evaluation_question_add(
                evaluation_set=evaluation_set,
                query=form.cleaned_data["query"],
                documents={document: 1 for document in form.cleaned_data["documents"]},
                answer=form.cleaned_data["answer"],
                split=form.cleaned_data["split"] or None,
                source=QuestionSource.FEEDBACK,
                origin=f"chat log {log.pk}",
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Added to the evaluation set “{evaluation_set.name}”.")
            return redirect("app-evaluation-set", workspace_id=workspace.pk, set_id=evaluation_set.pk)
    return _chat_log_page(request, workspace, log, question_form=form, status=400)


def _feedback_form(workspace, log, data=None) -> FeedbackQuestionForm:
    sets = list(EvaluationSet.objects.filter(workspace=workspace).values_list("name", flat=True))
    retrieved = [passage.chunk.document for passage in retrieved_passages(log=log) if passage.chunk]
    form = FeedbackQuestionForm(data, workspace=workspace, suggested=retrieved, initial={"query": log.question})
    if sets:
        form.fields["evaluation_set"].initial = sets[0]
    form.set_names = sets
    return form


def _chat_log_page(request, workspace, log, *, question_form, status=200):
    passages = retrieved_passages(log=log)
    stages, total_ms = stage_latencies(log=log)
    context = {
        "workspace": workspace,
        "log": log,
        "passages": passages,
        "citations": answer_citations(log=log, passages=passages),
        "stages": stages,
        "total_ms": total_ms,
        "question_form": question_form,
    }
    return render(request, "operations/chat_log_detail.html", context, status=status)


@signed_in
def audit_log_list_page(request, workspace_id: str):
    workspace = _admin_workspace(request, workspace_id)
    filters = audit_log_filters(request.GET)
    rows = audit_log_list(filters=filters.filters, workspace_scope=[workspace.pk])
    context = {
        "workspace": workspace,
        "filters": filters,
        "page": _page(request, rows) if filters.is_valid else None,
        "actions": audit_actions(workspace=workspace),
    }
    status = 200 if filters.is_valid else 400
    return render_page_or_partial(request, "operations/audit_log_list.html", context, status=status)


@signed_in
def audit_log_detail_page(request, workspace_id: str, log_id: int):
    workspace = _admin_workspace(request, workspace_id)
    log = audit_log_get(log_id=log_id, workspace_scope=[workspace.pk])
    if log is None:
        raise NotFound("Audit log not found.")
    return render(request, "operations/audit_log_detail.html", {"workspace": workspace, "log": log})


@signed_in
def export_job_list_page(request, workspace_id: str):
    workspace = _admin_workspace(request, workspace_id)
    page = _page(request, export_job_list(workspace=workspace, filters={}))
    context = {
        "workspace": workspace,
        "page": page,
        "form": ExportJobForm(),
        # Poll while a job on this page is still to finish; stop once all are settled.
        "unsettled": any(job.status in UNSETTLED for job in page),
    }
    return render_page_or_partial(request, "operations/export_job_list.html", context)


@signed_in
@require_POST
def export_job_create_page(request, workspace_id: str):
    workspace = _admin_workspace(request, workspace_id, writes=True)
    form = ExportJobForm(request.POST)
    if not form.is_valid():
        raise DomainError("Choose what to export (chat logs, audit logs or documents) and a format (jsonl or csv).")
    job = export_job_create(
        workspace=workspace,
        export_type=form.cleaned_data["export_type"],
        file_format=form.cleaned_data["format"],
        filters=form.filters(),
        actor=request.principal.actor,
        request_id=request.request_id,
    )
    return _after_export_write(request, workspace, job)


@signed_in
@require_POST
def export_job_retry_page(request, workspace_id: str, job_id):
    workspace = _admin_workspace(request, workspace_id, writes=True)
    job = export_job_retry(
        job=_export_job(workspace, job_id), actor=request.principal.actor, request_id=request.request_id
    )
    return _after_export_write(request, workspace, job)


@signed_in
def export_job_page(request, workspace_id: str, job_id):
    workspace = _admin_workspace(request, workspace_id)
    return _export_job_panel(request, workspace, _export_job(workspace, job_id))


@signed_in
def export_job_download_page(request, workspace_id: str, job_id):
    workspace = _admin_workspace(request, workspace_id)
    job = _export_job(workspace, job_id)
    return FileResponse(
        export_job_file_open(job=job),
        as_attachment=True,
        filename=f"{job.export_type}-{job.pk}.{job.format}",
        content_type=CONTENT_TYPES[job.format],
    )


def _admin_workspace(request, workspace_id: str, *, writes: bool = False):
    return page_workspace(request, workspace_id, required_role=Role.ADMIN, writes=writes)


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _export_job(workspace, job_id):
    job = export_job_get(workspace=workspace, job_id=job_id)
    if job is None:
        raise NotFound("Export job not found.")
    return job


def _export_job_panel(request, workspace, job):
    context = {"workspace": workspace, "job": job, "unsettled": job.status in UNSETTLED}
    return render_page_or_partial(request, "operations/export_job.html", context)


def _after_export_write(request, workspace, job):
    """The job's panel for htmx (it polls until the job settles), or the job's page without JavaScript."""
    if wants_partial(request):
        return _export_job_panel(request, workspace, job)
    return redirect("app-export-job", workspace_id=workspace.pk, job_id=job.pk)
