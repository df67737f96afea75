"""Reads of measures that pages and the API share."""

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import timedelta

from django.utils.translation import gettext as _

from . import attention, periods, spc
from .models import Annotation, Baseline, Measure, Observation


def measures_of(org):
    return Measure.objects.filter(organisation=org)


def measure_queryset(org):
    return Measure.objects.filter(organisation=org).select_related("owner")


def points_of(measure):
    """The measure's values in time order as ``spc.Point`` (one query)."""
    rows = Observation.objects.filter(measure=measure).order_by("period_start").values_list(
        "period_start", "value", "numerator", "denominator")
    return [spc.Point(period=p, value=v, numerator=n, denominator=d) for p, v, n, d in rows]


def phases_of(measure):
    return [spc.Phase(first=b.first_period, last_baseline=b.last_period, reason=b.reason)
            for b in Baseline.objects.filter(measure=measure).order_by("first_period")]


def analysis_of(measure):
    return spc.analyse(measure.kind, points_of(measure), better=measure.better, phases=phases_of(measure))


def annotations_of(measure):
    return Annotation.objects.filter(measure=measure).select_related("created_by")


# --- The overview of an organisation's measures ---------------------------------------------------
# A constant number of queries however many measures the page shows: one for the series of every
# measure on the page, one for their baselines, then each is analysed in Python.

# A signal is "new" when it includes one of the latest RECENT points.
RECENT = 3


@dataclass
class MeasureSummary:
    """One measure as the overview shows it."""

    measure: Measure
    analysis: spc.Analysis
    latest: spc.Point | None = None          # the latest point with a value
    signal: spc.Signal | None = None         # the most recent signal (improvement or concern first)
    attention: list = dc_field(default_factory=list)  # attention.Attention, in the order to show them


def series_by_measure(measures):
    """``{measure id: [spc.Point]}`` in time order for all ``measures``, in one query."""
    series = {m.pk: [] for m in measures}
    rows = (Observation.objects.filter(measure__in=list(series)).order_by("measure_id", "period_start")
            .values_list("measure_id", "period_start", "value", "numerator", "denominator"))
    for measure_id, p, v, n, d in rows.iterator(chunk_size=5000):
        series[measure_id].append(spc.Point(period=p, value=v, numerator=n, denominator=d))
    return series


def phases_by_measure(measures):
    """``{measure id: [spc.Phase]}`` for all ``measures``, in one query."""
    phases = {m.pk: [] for m in measures}
    for b in Baseline.objects.filter(measure__in=list(phases)).order_by("measure_id", "first_period"):
        phases[b.measure_id].append(spc.Phase(first=b.first_period, last_baseline=b.last_period, reason=b.reason))
    return phases


def previous_period(period, start):
    """The start of the period before the one starting at ``start``."""
    if period == periods.MONTH:
        return (start - timedelta(days=1)).replace(day=1)
    return start - timedelta(days=7 if period == periods.WEEK else 1)


def last_complete_period(period, today):
    """The start of the latest period that has ended by ``today``: last week, last month, yesterday."""
    return previous_period(period, periods.start_of(period, today))


def _most_recent_signal(analysis):
    """The signal that reaches latest; on a tie a concern before an improvement, both before neutral."""
    rank = {spc.CONCERN: 2, spc.IMPROVEMENT: 1}
    return max(analysis.signals, key=lambda s: (max(s.indices, default=-1), rank.get(s.direction, 0)),
               default=None)


def _engine_attention(measure, analysis, signal, today):
    found = []
    if (signal is not None and signal.direction in (spc.IMPROVEMENT, spc.CONCERN)
            and max(signal.indices, default=-1) >= len(analysis.points) - RECENT):
        last = analysis.points[max(signal.indices)].period
        words = (_("New sign of improvement in %(period)s.") if signal.direction == spc.IMPROVEMENT
                 else _("New sign of concern in %(period)s.")) % {"period": periods.label(measure.period, last)}
        found.append(attention.Attention(measure.pk, words, kind=attention.SIGNAL))
    # A measure fed by a consultation gets values when a survey wave closes, not every period.
    if measure.feed_key:
        return found
    due = last_complete_period(measure.period, today)
    last = analysis.points[-1].period if analysis.points else None
    if last is None:
        found.append(attention.Attention(measure.pk, _("No values yet."), kind=attention.NO_DATA))
    elif last < due:
        words = _("Data overdue: no value for %(period)s yet.") % {"period": periods.label(measure.period, due)}
        found.append(attention.Attention(measure.pk, words, kind=attention.OVERDUE))
    return found


def overview_rows(organisation, measures, *, today):
    """A ``MeasureSummary`` for each of ``measures`` (in their order): analysis, latest value, most
    recent signal and what needs attention (a new signal, data overdue for the last complete
    period, and what the registered sources of ``measures.attention`` say)."""
    measures = list(measures)
    series, phases = series_by_measure(measures), phases_by_measure(measures)
    extra = attention.attention_from_sources(organisation, measures, today=today)
    rows = []
    for measure in measures:
        analysis = spc.analyse(measure.kind, series[measure.pk], better=measure.better, phases=phases[measure.pk])
        latest = next((p for p in reversed(analysis.points) if p.value is not None), None)
        signal = _most_recent_signal(analysis)
        found = _engine_attention(measure, analysis, signal, today) + extra.get(measure.pk, [])
        rows.append(MeasureSummary(measure=measure, analysis=analysis, latest=latest, signal=signal, attention=found))
    return rows


def overview_measures(organisation):
    """The organisation's measures in the overview's order, with what the rows show of them."""
    return Measure.objects.filter(organisation=organisation).order_by("name", "id")


def baselines_of(measure):
    """The measure's baselines (phases of limits) in time order, with who set each."""
    return Baseline.objects.filter(measure=measure).select_related("created_by").order_by("first_period")
