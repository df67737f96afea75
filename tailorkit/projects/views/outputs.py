"""Outputs (issue 3, point 10): the one-page summary, its PDF (made by the background worker, with a page
that waits for it; issue 11), and the JSON export and import (run by the background worker, with a status
page; issue 9, point 5)."""

import time
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import ngettext_lazy

from tailorkit.core import errors as errors_at_fields
from tailorkit.core.permissions import get_object_for_user_or_404, get_organisation_or_404
from tailorkit.core.services import audit_record

from ..access import get_project_or_404
from ..forms.records import ImportForm
from ..models import ProjectImport
from ..services.summary import summary_context, summary_pdf_state
from ..services.transfer import project_import_queue, project_imports_resume
from ..services.transfer.export import project_export_stream


@login_required
def project_summary(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    return render(request, "projects/summary.html", summary_context(project))


@login_required
def project_summary_pdf(request, org_slug, project_id):
    """The summary as a PDF, made by the background worker (``services.summary``): served when it is
    ready, else a page that says it is being made and asks again every 2 s (htmx; a meta refresh
    without JavaScript)."""
    project = get_project_or_404(request, org_slug, project_id)
    state = summary_pdf_state(project=project, user=request.user, language=request.LANGUAGE_CODE)
    if state["pdf"] is None:
        waited = time.time() - (state["queued_at"] or time.time())
        context = {"project": project, "org": project.organisation, "failed": state["failed"],
                   "waiting_long": waited > WAITING_SECONDS}
        template = "projects/summary_pdf_status.html#progress" if request.htmx else "projects/summary_pdf_status.html"
        return render(request, template, context, status=202)
    if request.htmx:  # ready: the page offers the download (a file cannot be swapped into a page)
        return render(request, "projects/summary_pdf_status.html#progress", {
            "project": project, "org": project.organisation, "ready": True})
    audit_record(action="project.exported", actor=request.user, organisation=project.organisation,
                 target=project.name, details={"format": "pdf", "project_id": project.pk}, request=request)
    response = HttpResponse(state["pdf"], content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slugify(project.name) or "project"}-summary.pdf"'
    return response


@login_required
def project_export(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    # Streamed as the rows are read (issue 11, point 4): a project with years of history is never whole
    # in memory, as objects or as text.
    chunks = project_export_stream(project=project, user=request.user, request=request)
    response = StreamingHttpResponse(chunks, content_type="application/json")
    filename = f"{slugify(project.name) or 'project'}-{timezone.localdate():%Y%m%d}.tailorkit.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def project_import(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = project_import_queue(organisation=org, user=request.user, file_name=upload.name,
                                       content=upload.read(), language=request.LANGUAGE_CODE)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors_at_fields.add_to_form(form, exc)  # a file that cannot be read at all
            else:
                errors = exc.messages
        else:
            return redirect("projects:project_import_status", org_slug=org.slug, import_id=job.uuid)
    return render(request, "projects/import.html", {"org": org, "form": form, "errors": errors})


# The lists of a project file, as the status page counts them (``ProjectImport.counts``).
FILE_LISTS = {
    "goals": ngettext_lazy("%(shown)s goal", "%(shown)s goals", "n"),
    "barriers": ngettext_lazy("%(shown)s barrier", "%(shown)s barriers", "n"),
    "barrier_ratings": ngettext_lazy("%(shown)s barrier rating", "%(shown)s barrier ratings", "n"),
    "strategy_options": ngettext_lazy("%(shown)s strategy option", "%(shown)s strategy options", "n"),
    "appraisals": ngettext_lazy("%(shown)s appraisal", "%(shown)s appraisals", "n"),
    "iterations": ngettext_lazy("%(shown)s iteration", "%(shown)s iterations", "n"),
    "focus": ngettext_lazy("%(shown)s goal or barrier in focus", "%(shown)s goals and barriers in focus", "n"),
    "specifications": ngettext_lazy("%(shown)s specification", "%(shown)s specifications", "n"),
    "tasks": ngettext_lazy("%(shown)s task", "%(shown)s tasks", "n"),
    "success_criteria": ngettext_lazy("%(shown)s success criterion", "%(shown)s success criteria", "n"),
    "reviews": ngettext_lazy("%(shown)s review", "%(shown)s reviews", "n"),
    "judgements": ngettext_lazy("%(shown)s judgement", "%(shown)s judgements", "n"),
    "decisions": ngettext_lazy("%(shown)s decision", "%(shown)s decisions", "n"),
    "effort": ngettext_lazy("%(shown)s effort entry", "%(shown)s effort entries", "n"),
    "history": ngettext_lazy("%(shown)s entry in the history", "%(shown)s entries in the history", "n"),
}
# After this long in the queue, the page says that the background worker may not be running.
WAITING_SECONDS = 30


@login_required
def project_import_status(request, org_slug, import_id):
    """Where the import of an uploaded file is. The page polls itself every 2 s while the import runs (htmx;
    a meta refresh without JavaScript) and reloads once it is finished."""
    # The stored file (up to 20 MB) is never needed here, and the page polls every 2 s.
    mine = ProjectImport.objects.filter(created_by=request.user).select_related("organisation", "project").defer(
        "content")
    job = get_object_for_user_or_404(request.user, mine, org_slug=org_slug, action="edit", uuid=import_id)
    if not job.finished and project_imports_resume(import_ids=[job.pk]):
        job.refresh_from_db()
    if request.htmx and job.finished:
        return HttpResponse(headers={"HX-Refresh": "true"})
    context = {
        "org": job.organisation, "job": job,
        "contents": [FILE_LISTS[key] % {"n": n, "shown": intcomma(n)} for key, n in job.counts.items()
                     if key in FILE_LISTS],
        "waiting_long": job.status == ProjectImport.Status.QUEUED
        and timezone.now() - job.heartbeat_at > timedelta(seconds=WAITING_SECONDS),
    }
    template = "projects/import_status.html#progress" if request.htmx else "projects/import_status.html"
    return render(request, template, context)
