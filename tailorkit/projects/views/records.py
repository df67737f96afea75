"""The project's record (issue 3, points 7 and 9): timeline, the project as it was, and effort."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.permissions import can

from .. import charts
from ..access import get_project_or_404
from ..forms.records import EffortForm
from ..models import EffortEntry
from ..services import effort as effort_services
from ..services import timeline as timeline_services

# Up to this many iterations the filter lists them; past it, the filter is a box for a number: a list
# of 1,000 options cost more to render than the entries of the page (issue 11).
ITERATION_CHOICES = 20


@login_required
def project_timeline(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    numbers = list(project.iterations.order_by("-number").values_list("number", flat=True)[:ITERATION_CHOICES + 1])
    kind = request.GET.get("kind") or ""
    if kind not in timeline_services.KINDS:
        kind = ""
    iteration = request.GET.get("iteration") or ""
    window = None
    if iteration.isdigit() and len(iteration) < 10:
        window = timeline_services.iteration_window(project, int(iteration))
    iteration = str(int(iteration)) if window else ""
    try:
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_number = 1
    # "Older" and "Newer" carry a cursor (a row's moment and id), so a deep page costs what page 1
    # does; the old ?page=N links still work (reading the N - 1 pages before).
    page = timeline_services.timeline_page(
        project, page=page_number, kind=kind or None, window=window,
        at=timeline_services.parse_cursor(request.GET.get("at")),
        newer_than=timeline_services.parse_cursor(request.GET.get("newer_than")))
    query = "&".join(f"{k}={v}" for k, v in (("kind", kind), ("iteration", iteration)) if v)
    today = timezone.localdate()
    return render(request, "projects/timeline.html", {
        "project": project, "org": project.organisation, "page": page, "kind": kind, "iteration": iteration,
        "kinds": [(k, label) for k, (_model, label) in timeline_services.KINDS.items()],
        "iterations": sorted(numbers) if len(numbers) <= ITERATION_CHOICES else None,
        "last_iteration": numbers[0] if numbers else 1,
        "query": query, "today": today, "yesterday": today - timedelta(days=1),
    })


def _parse_when(value):
    """A date means the end of that day (in the site's time zone); a date and time is taken as is."""
    value = (value or "").strip()
    try:
        day = parse_date(value)   # first: parse_datetime also reads a bare date, as midnight
        moment = datetime.combine(day, time.max) if day else parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
def project_as_of(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    raw = request.GET.get("when", "")
    when = _parse_when(raw) if raw else None
    snapshot = error = None
    if raw and when is None:
        error = _("Enter a date like 2026-03-01, or a date and time.")
    elif when is not None:
        now = timezone.now()
        if when > now and timezone.localtime(when).date() == timezone.localdate():
            when = now  # "today" means as it is now
        if when > now:
            error = _("That moment has not come yet. Choose today or a day in the past.")
        else:
            snapshot = timeline_services.project_as_of(project, when)
            if snapshot is None:
                error = _("The project did not exist yet on %(day)s. It was created on %(created)s.") % {
                    "day": timezone.localtime(when).date(), "created": timezone.localtime(project.created_at).date()}
    return render(request, "projects/timeline_as_of.html", {
        "project": project, "org": project.organisation, "snapshot": snapshot, "error": error,
        "when": when, "raw": raw,
    })


@login_required
def project_effort(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    can_edit = can(request.user, "edit", project)
    form = EffortForm(request.POST or None, initial={"date": timezone.localdate(), "step": project.step})
    if request.method == "POST":
        project = get_project_or_404(request, org_slug, project_id, "edit")
        if form.is_valid():
            data = form.cleaned_data
            try:
                effort_services.effort_log(project=project, user=request.user, date=data["date"],
                                           minutes=data["minutes"], activity=data["activity"], step=data["step"])
            except ValidationError as exc:
                errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Time logged."))
                return redirect("projects:project_effort", org_slug=org_slug, project_id=project.pk)
    entries = Paginator(EffortEntry.objects.filter(project=project).select_related("user"), 50).get_page(
        request.GET.get("page"))
    by_person, by_step, total = effort_services.effort_totals(project)
    return render(request, "projects/effort.html", {
        "project": project, "org": project.organisation, "form": form, "entries": entries,
        "by_person": by_person, "by_step": by_step, "total": total, "can_edit": can_edit,
        "chart": charts.effort_by_step(by_step),
    })


@login_required
def project_effort_delete(request, org_slug, project_id, entry_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    entry = EffortEntry.objects.filter(project=project, pk=entry_id, user=request.user).first()
    if entry is None:
        raise Http404  # another person's entry (or another project's) cannot be deleted from here
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST":
        effort_services.effort_delete(entry=entry, user=request.user)
        messages.success(request, _("Entry deleted."))
        return redirect("projects:project_effort", org_slug=org_slug, project_id=project.pk)
    return render(request, "projects/effort_delete.html", {"project": project, "org": project.organisation,
                                                           "entry": entry})
