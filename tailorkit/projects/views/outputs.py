"""Outputs (issue 3, point 10): the one-page summary, its PDF, and the JSON export and import (run by the
background worker, with a status page; issue 9, point 5)."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import ngettext_lazy

from tailorkit.core import errors as errors_at_fields
from tailorkit.core.permissions import get_object_for_user_or_404, get_organisation_or_404
from tailorkit.core.services import audit_record

from .. import charts, stakeholders
from ..access import get_project_or_404
from ..forms.planning import pack_labels
from ..forms.records import ImportForm
from ..models import Decision, Focus, Judgement, ProjectImport, Review, Task
from ..selectors import goals as goal_reads
from ..selectors import summary as summary_reads
from ..selectors.planning import spec_values
from ..services.effort import effort_totals
from ..services.transfer import project_import_queue, project_imports_resume
from ..services.transfer.export import project_export_stream


def summary_context(project):
    """Everything the summary shows, in a fixed number of queries."""
    iterations = list(
        project.iterations.order_by("number")
        .select_related("chosen_option__item", "chosen_option__barrier__item", "specification")
        .prefetch_related(
            Prefetch("focus", queryset=Focus.objects.select_related("goal", "barrier__item__category")),
            Prefetch("tasks", queryset=Task.objects.select_related("owner")),
            "criteria",
            Prefetch("reviews", queryset=Review.objects.prefetch_related(
                Prefetch("judgements", queryset=Judgement.objects.select_related("criterion")))),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
        )
    )
    current = iterations[-1] if iterations else None
    spec = getattr(current, "specification", None) if current else None
    spec_rows = []
    if spec is not None:  # the filled items, labelled as on the plan page (merged items name both frameworks)
        spec_rows = [(label, value) for _f, label, value in spec_values(spec, pack_labels()) if value.strip()]
    for it in iterations:
        it.focus_goals = [f.goal for f in it.focus.all() if f.goal_id]
        it.focus_barriers = [f.barrier for f in it.focus.all() if f.barrier_id]
    return {
        "project": project, "org": project.organisation, "current": current, "earlier": iterations[:-1][::-1],
        "spec_rows": spec_rows, "team": list(project.team.order_by("name", "email")),
        "goals": project.goals.all() if not current or not current.focus_goals else current.focus_goals,
        "generated_at": timezone.now(),
        **summary_charts_and_stakeholders(project),
    }


def summary_charts_and_stakeholders(project):
    """The summary's "What stakeholders said" section and its charts (issue 10). Each chart is drawn once
    here (and cached by ``core.charts``), for the page and the PDF alike; the templates put a table with
    the same numbers beside each."""
    figures = stakeholders.stakeholder_barrier_figures(project)
    ranked = goal_reads.ranked_barriers(project, figures["values"] if figures else None)
    consultations = summary_reads.stakeholder_results(project)
    criteria = summary_reads.apease_names()
    for entry in consultations:
        entry["chart"] = charts.stakeholder_means(entry, dict(criteria))
    _by_person, by_step, total = effort_totals(project)
    for row in by_step:
        row["hours"] = row["minutes"] / 60
    return {
        "ranked": [r for r in ranked if r.mean_importance is not None],
        "matrix": charts.prioritisation_matrix(ranked),
        "stakeholder_consultations": consultations, "apease_criteria": criteria,
        "effort_by_step": by_step, "effort_hours": total / 60, "effort_chart": charts.effort_by_step(by_step),
    }


@login_required
def project_summary(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    return render(request, "projects/summary.html", summary_context(project))


def _inline_css():
    # WeasyPrint must not fetch anything over the network: the stylesheet is read from disk.
    path = finders.find("tailorkit/tailorkit.css")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


@login_required
def project_summary_pdf(request, org_slug, project_id):
    import weasyprint

    project = get_project_or_404(request, org_slug, project_id)
    html = render_to_string("projects/summary_pdf.html", {**summary_context(project), "css": _inline_css()},
                            request=request)
    pdf = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    audit_record(action="project.exported", actor=request.user, organisation=project.organisation,
                 target=project.name, details={"format": "pdf", "project_id": project.pk}, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
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
