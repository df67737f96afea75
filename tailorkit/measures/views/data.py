"""Getting values in through pages: the grid of periods, and a CSV or XLSX file checked by the
background worker (upload, then a status page with its progress, preview and problems, then the
person's confirmation). Both go through the services every other way in uses."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit
from tailorkit.core.permissions import can, get_object_for_user_or_404

from .. import periods
from ..forms.data import MeasureUploadForm, ValuesGridForm
from ..models import MeasureUpload, Observation
from ..selectors import previous_period
from ..services import observations, uploads
from .measures import get_measure_or_404

# Periods on one page of the grid: two years of months, half a year of weeks, a month of days.
GRID_PERIODS = {periods.MONTH: 24, periods.WEEK: 26, periods.DAY: 31}
# After this long in the queue, the status page says the background worker may not be running.
WAITING_SECONDS = 30


def _window(measure, end_text):
    """The period starts shown, ending with the period of ``end_text`` (an ISO date) or this one."""
    try:
        end = periods.start_of(measure.period, date.fromisoformat(end_text)) if end_text else None
    except ValueError:
        end = None
    end = end or periods.start_of(measure.period, timezone.localdate())
    starts = [end]
    for _step in range(GRID_PERIODS[measure.period] - 1):
        starts.append(previous_period(measure.period, starts[-1]))
    return list(reversed(starts))


def _grid_page(request, measure, form, starts, *, conflict=None, status=200):
    now = periods.start_of(measure.period, timezone.localdate())
    later = starts[-1]
    for _step in range(len(starts)):
        later = periods.following(measure.period, later)
    return render(request, "measures/values_grid.html", {
        "org": measure.organisation, "measure": measure, "form": form, "conflict": conflict,
        "conflict_period": conflict and periods.label(measure.period, conflict.period_start),
        "first": periods.label(measure.period, starts[0]), "last": periods.label(measure.period, starts[-1]),
        "earlier": previous_period(measure.period, starts[0]).isoformat(),
        "later": min(later, now).isoformat() if starts[-1] < now else "",
        "end": starts[-1].isoformat(),
    }, status=status)


@login_required
def values_grid(request, org_slug, measure_id):
    """A page of periods to type values in, saved all at once (or not at all)."""
    measure = get_measure_or_404(request, org_slug, measure_id, "edit")
    starts = _window(measure, request.POST.get("end") or request.GET.get("end"))
    stored = {o.period_start: o for o in Observation.objects.filter(measure=measure, period_start__in=starts)}
    form = ValuesGridForm(request.POST or None, measure=measure, starts=starts, stored=stored)
    if request.method != "POST" or not form.is_valid():
        return _grid_page(request, measure, form, starts, status=400 if form.errors else 200)
    rows, removals, where = form.changes()
    try:
        counts = observations.observations_save(measure=measure, actor=request.user, rows=rows, remove=removals)
    except StaleEdit as exc:
        return _grid_page(request, measure, _rebound(request, measure, starts, exc.current), starts,
                          conflict=exc.current, status=409)
    except ValidationError as exc:
        problems = _row_problems(exc)
        if problems:
            form.add_row_errors(problems, where)
        else:
            errors.add_to_form(form, exc)
        return _grid_page(request, measure, form, starts, status=400)
    messages.success(request, _saved_words(counts))
    return redirect(reverse("measures:measure_values", args=[measure.organisation.slug, measure.pk])
                    + f"?end={starts[-1].isoformat()}")


def _row_problems(exc):
    for error in getattr(exc, "error_dict", {}).get("rows", []):
        if error.params and "rows" in error.params:
            return error.params["rows"]
    return None


def _rebound(request, measure, starts, current):
    """The person's typing, with the row someone else changed now carrying that person's version, so that
    saving again is a decision made knowing the other value."""
    data = request.POST.copy()
    index = starts.index(current.period_start)
    data[f"version_{index}"] = str(current.version)
    stored = {o.period_start: o for o in Observation.objects.filter(measure=measure, period_start__in=starts)}
    form = ValuesGridForm(data, measure=measure, starts=starts, stored=stored)
    form.is_valid()
    return form


def _saved_words(counts):
    parts = [(counts["created"], _("%(n)d new")), (counts["updated"], _("%(n)d changed")),
             (counts.get("removed", 0), _("%(n)d removed"))]
    done = [words % {"n": n} for n, words in parts if n]
    if not done:
        return _("Nothing to save: the values are as they were.")
    return _("Values saved: %(what)s.") % {"what": ", ".join(done)}


@login_required
def upload(request, org_slug, measure_id):
    measure = get_measure_or_404(request, org_slug, measure_id, "edit")
    form = MeasureUploadForm(request.POST or None, request.FILES or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        if file.size > uploads.MAX_BYTES:  # before reading it into memory
            form.add_error("file", _("The file is larger than %(n)d MB. Split it into several files.")
                           % {"n": uploads.MAX_BYTES // 2**20})
        else:
            try:
                job = uploads.measure_upload_queue(measure=measure, actor=request.user, file_name=file.name,
                                                   content=file.read(), language=request.LANGUAGE_CODE)
            except ValidationError as exc:
                errors.add_to_form(form, exc)
            else:
                return redirect("measures:measure_upload_status", org_slug=measure.organisation.slug,
                                measure_id=measure.pk, upload_id=job.uuid)
    recent = (MeasureUpload.objects.filter(measure=measure, created_by=request.user).defer("content")
              .order_by("-created_at")[:5])
    return render(request, "measures/upload_form.html", {
        "org": measure.organisation, "measure": measure, "form": form, "recent": recent,
        "needs_denominator": uploads.needs_denominator(measure), "example": _example(measure),
    }, status=400 if form.errors else 200)


def _example(measure):
    """Three rows of a file this measure would take, to show what to upload."""
    start, rows = periods.start_of(measure.period, date(2025, 1, 6)), []
    for numerator, denominator in ((42, 60), (45, 58), (51, 63)):
        written = {periods.MONTH: start.isoformat()[:7], periods.WEEK: periods.label(periods.WEEK, start)}
        rows.append((written.get(measure.period, start.isoformat()), numerator, denominator))
        start = periods.following(measure.period, start)
    return rows


@login_required
def upload_status(request, org_slug, measure_id, upload_id):
    """Where a file is: queued, being checked (with progress), ready (preview and confirm), refused (every
    problem at its row and column), being stored, stored. Polled by htmx every 2 s while the worker runs."""
    mine = MeasureUpload.objects.filter(created_by=request.user, measure_id=measure_id).select_related(
        "organisation", "measure").defer("content")
    job = get_object_for_user_or_404(request.user, mine, org_slug=org_slug, action="edit", uuid=upload_id)
    measure = job.measure
    if request.method == "POST":
        return _decide(request, job)
    running = job.status in (MeasureUpload.Status.QUEUED, MeasureUpload.Status.CHECKING,
                             MeasureUpload.Status.CONFIRMED, MeasureUpload.Status.STORING)
    if running and uploads.measure_uploads_resume(upload_ids=[job.pk]):
        job.refresh_from_db()
    if request.htmx and not running:
        return HttpResponse(headers={"HX-Refresh": "true"})
    context = {
        "org": job.organisation, "measure": measure, "job": job, "running": running,
        "can_edit": can(request.user, "edit", measure),
        "columns": [spec["header"] for spec in job.columns.values()],
        "by_position": [(uploads.column_label(f), spec["header"]) for f, spec in job.columns.items()
                        if spec.get("by_position")],
        "preview": [(row.get("row"), [row.get(f, "") for f in job.columns]) for row in job.preview],
        "waiting_long": job.status in (MeasureUpload.Status.QUEUED, MeasureUpload.Status.CONFIRMED)
        and timezone.now() - job.heartbeat_at > timedelta(seconds=WAITING_SECONDS),
        "more_errors": max(0, job.error_count - len(job.errors)),
    }
    template = "measures/upload_status.html#progress" if request.htmx else "measures/upload_status.html"
    return render(request, template, context)


def _decide(request, job):
    try:
        if request.POST.get("action") == "store":
            uploads.measure_upload_confirm(upload=job, actor=request.user)
            messages.success(request, _("Storing the values of %(name)s.") % {"name": job.file_name})
        else:
            uploads.measure_upload_discard(upload=job, actor=request.user)
            messages.success(request, _("The file was set aside; nothing was stored."))
            return redirect("measures:measure_upload", org_slug=job.organisation.slug, measure_id=job.measure_id)
    except ValidationError as exc:
        errors.flash(request, exc)
    return redirect("measures:measure_upload_status", org_slug=job.organisation.slug, measure_id=job.measure_id,
                    upload_id=job.uuid)

