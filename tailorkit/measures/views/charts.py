"""A measure's page: its chart with the table of the same numbers, what the chart shows in words, the
team's notes, the phases of limits and recalculating them (rebasing, with a reason), and the
downloads of the chart (SVG, PNG) and its values (CSV)."""

import csv

import vl_convert
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.permissions import can, get_object_for_user_or_404
from tailorkit.core.spreadsheets import BOM, neutralise

from .. import charts, periods, selectors
from ..events import events_for
from ..forms.charts import AnnotationForm, BaselineForm
from ..models import Annotation, Measure
from ..services import measures as services


def _measure(request, org_slug, measure_id, action="view"):
    return get_object_for_user_or_404(request.user, Measure.objects.select_related("organisation", "owner"),
                                      org_slug=org_slug, action=action, pk=measure_id)


def _to_measure(measure):
    return redirect("measures:measure_detail", org_slug=measure.organisation.slug, measure_id=measure.pk)


def _drawn(measure):
    """What the chart, its table and the downloads show."""
    return selectors.analysis_of(measure), list(selectors.annotations_of(measure)), events_for(measure)


def _page(request, measure, *, note_form=None, status=200):
    analysis, annotations, events = _drawn(measure)
    can_edit = can(request.user, "edit", measure)
    rows = charts.table_rows(measure, analysis, annotations, events)
    return render(request, "measures/measure_detail.html", {
        "org": measure.organisation, "measure": measure, "analysis": analysis, "can_edit": can_edit,
        "chart": charts.spc_chart(measure, analysis, events=events, annotations=annotations),
        "alt": charts.chart_alt(measure, analysis), "chart_name": charts.chart_name(analysis.chart),
        "rows": rows, "with_denominator": measure.kind in (Measure.Kind.PROPORTION, Measure.Kind.RATE,
                                                           Measure.Kind.MEAN),
        "with_limits": any(v is not None for v in analysis.upper + analysis.lower),
        "signals": [{"words": s.words, "label": charts.direction_name(s.direction), "direction": s.direction,
                     "shape": charts.shape_of(s.direction, measure.better),
                     "periods": _span(measure, analysis, s)} for s in analysis.signals],
        "notes": [(n, a, periods.label(measure.period, a.period_start)) for n, a in enumerate(annotations, 1)],
        "events": [(periods.label(measure.period, periods.start_of(measure.period, e.day)), e) for e in events],
        "baselines": [(b, periods.label(measure.period, b.first_period),
                       b.last_period and periods.label(measure.period, b.last_period))
                      for b in selectors.baselines_of(measure)],
        "note_form": note_form or (AnnotationForm(measure=measure, initial=_latest(measure, analysis))
                                   if can_edit else None),
    }, status=status)


def _span(measure, analysis, signal):
    if not signal.indices:
        return ""
    first, last = (periods.label(measure.period, analysis.points[i].period)
                   for i in (min(signal.indices), max(signal.indices)))
    return first if first == last else _("%(first)s to %(last)s") % {"first": first, "last": last}


def _latest(measure, analysis):
    """The latest period, written the way ``periods.parse`` reads in every language (2025-03, 2025-W12)."""
    if not analysis.points:
        return {}
    start = analysis.points[-1].period
    written = {periods.MONTH: start.isoformat()[:7], periods.WEEK: periods.label(periods.WEEK, start)}
    return {"period": written.get(measure.period, start.isoformat())}


@login_required
def measure_detail(request, org_slug, measure_id):
    return _page(request, _measure(request, org_slug, measure_id))


def _file_name(measure, suffix):
    return f"{slugify(measure.name)[:60] or 'measure'}-{suffix}"


def _svg(measure):
    analysis, annotations, events = _drawn(measure)
    if not any(p.value is not None for p in analysis.points):
        raise Http404
    return charts.spc_svg(measure, analysis, events=events, annotations=annotations)


@login_required
def chart_svg(request, org_slug, measure_id):
    measure = _measure(request, org_slug, measure_id)
    response = HttpResponse(_svg(measure), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(measure, "chart.svg")}"'
    return response


@login_required
def chart_png(request, org_slug, measure_id):
    measure = _measure(request, org_slug, measure_id)
    response = HttpResponse(vl_convert.svg_to_png(_svg(measure), scale=2), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(measure, "chart.png")}"'
    return response


@login_required
def values_csv(request, org_slug, measure_id):
    measure = _measure(request, org_slug, measure_id)
    analysis, annotations, events = _drawn(measure)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(measure, "values.csv")}"'
    response.write(BOM)
    writer = csv.writer(response)
    writer.writerow([_("Period"), _("Period starts"), _("Value"), _("Numerator"), _("Denominator"),
                     _("Centre line"), _("Lower limit"), _("Upper limit"), _("Signal"), _("Notes and events")])
    for row in charts.table_rows(measure, analysis, annotations, events):
        raw = row["raw"]
        numbers = ("value", "numerator", "denominator", "centre", "lower", "upper")
        writer.writerow([neutralise(row["period"]), raw["period"].isoformat(), *(
            "" if raw[k] is None else raw[k] for k in numbers),
            neutralise(row["signal"]), neutralise(" | ".join(row["notes"]))])
    return response


@login_required
def annotation_create(request, org_slug, measure_id):
    measure = _measure(request, org_slug, measure_id, "edit")
    if request.method != "POST":
        return _to_measure(measure)
    form = AnnotationForm(request.POST, measure=measure)
    if form.is_valid():
        try:
            services.annotation_create(measure=measure, actor=request.user, period=form.cleaned_data["period"],
                                       text=form.cleaned_data["text"])
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Note added to the chart."))
            return _to_measure(measure)
    return _page(request, measure, note_form=form)


@login_required
def annotation_delete(request, org_slug, annotation_id):
    note = get_object_for_user_or_404(request.user, Annotation.objects.select_related("measure__organisation"),
                                      org_slug=org_slug, action="edit", pk=annotation_id)
    measure = note.measure
    if request.method == "POST":
        services.annotation_delete(annotation=note, actor=request.user)
        messages.success(request, _("Note deleted."))
        return _to_measure(measure)
    return render(request, "measures/annotation_confirm_delete.html", {
        "org": measure.organisation, "measure": measure, "note": note,
        "period": periods.label(measure.period, note.period_start)})


@login_required
def baseline_create(request, org_slug, measure_id):
    measure = _measure(request, org_slug, measure_id, "edit")
    form = BaselineForm(request.POST or None, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.baseline_create(measure=measure, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The limits are recalculated from %(period)s.") % {
                "period": periods.label(measure.period, form.cleaned_data["first_period"])})
            return _to_measure(measure)
    return render(request, "measures/baseline_form.html", {
        "org": measure.organisation, "measure": measure, "form": form,
        "baselines": [(b, periods.label(measure.period, b.first_period)) for b in selectors.baselines_of(measure)]})

