"""Measures seen from a project (issue 13): the measures a project relies on, and success criteria
judged from a measure's data.

**When the strategy started** (``started`` of ``verdicts.judge`` and the "start" marker on charts):
the moment the iteration's chosen strategy was chosen, read from the iteration's history (the first
saved version of the iteration that holds its present choice), because choosing is the one moment
the record knows for certain; the iteration's own start is earlier, before the team had decided
anything. When an iteration went "back to the plan" and kept its strategy, the strategy did not
start again: the moment is taken from the earliest iteration of that unbroken run. An iteration
without a chosen strategy has no start (``None``): the verdict then rests on the values and the
target alone. Imported projects carry their history with its dates, so the same rule holds for them.

Everything here reads in a fixed number of queries whatever the number of criteria, measures or
iterations: values and baselines of all the measures at once (``analyses_of``), the history of all
the iterations at once (``strategy_starts``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Min
from django.utils import timezone

from tailorkit.measures import periods, spc, verdicts
from tailorkit.measures.models import Baseline, Measure, Observation

from ..models import Iteration, Judgement, ProjectMeasure, SuccessCriterion

# The table beside a chart in a project's pages shows the latest periods; the measure's page has them all.
TABLE_ROWS = 24


def analyses_of(measures):
    """``{measure id: spc.Analysis}`` for ``measures``, in two queries (values, baselines) for any
    number of them; the same analysis as ``measures.selectors.analysis_of`` gives for one."""
    measures = {m.pk: m for m in measures}
    if not measures:
        return {}
    points = {pk: [] for pk in measures}
    for pk, p, v, n, d in (Observation.objects.filter(measure_id__in=measures).order_by("measure_id", "period_start")
                           .values_list("measure_id", "period_start", "value", "numerator", "denominator")):
        points[pk].append(spc.Point(period=p, value=v, numerator=n, denominator=d))
    phases = {pk: [] for pk in measures}
    for b in Baseline.objects.filter(measure_id__in=measures).order_by("measure_id", "first_period"):
        phases[b.measure_id].append(spc.Phase(first=b.first_period, last_baseline=b.last_period, reason=b.reason))
    return {pk: spc.analyse(m.kind, points[pk], better=m.better, phases=phases[pk]) for pk, m in measures.items()}


def _day(moment):
    return timezone.localtime(moment).date() if isinstance(moment, datetime) else moment


def strategy_starts(iterations, *, every_iteration=False):
    """``{iteration id: date or None}``: when the strategy of each iteration started (see the module's
    docstring). Two queries for any number of iterations (the iterations of their projects, and
    their history); one when ``iterations`` are loaded rows holding every iteration of their projects."""
    iterations = list(iterations)
    if not iterations:
        return {}
    project_ids = {it.project_id for it in iterations}
    fields = ("pk", "project_id", "number", "back_to", "chosen_option_id")
    every = [{f: getattr(it, f) for f in fields} for it in iterations] if every_iteration else list(
        Iteration.objects.filter(project_id__in=project_ids).values(*fields))
    chosen = {(row["id"], row["chosen_option_id"]): row["first"] for row in
              Iteration.history.filter(project_id__in=project_ids, chosen_option_id__isnull=False)
              .values("id", "chosen_option_id").annotate(first=Min("history_date"))}
    by_number = {(row["project_id"], row["number"]): row for row in every}
    starts = {}
    for row in every:
        option = row["chosen_option_id"]
        if option is None:
            starts[row["pk"]] = None
            continue
        first = row
        while first["back_to"] == Iteration.BackTo.PLAN:
            before = by_number.get((first["project_id"], first["number"] - 1))
            if before is None or before["chosen_option_id"] != option:
                break
            first = before
        moment = chosen.get((first["pk"], option)) or chosen.get((row["pk"], option))
        starts[row["pk"]] = _day(moment) if moment else None
    return {it.pk: starts.get(it.pk) for it in iterations}


@dataclass
class Judged:
    """A success criterion tied to a measure, with what its data say."""

    criterion: SuccessCriterion
    measure: Measure
    analysis: spc.Analysis
    started: date | None
    verdict: verdicts.Verdict | None  # None without a numeric target
    target: float | None = None
    chart: str = ""                   # data: URL, when asked for
    rows: list = field(default_factory=list)  # the data table beside the chart: its latest TABLE_ROWS periods
    n_rows: int = 0

    @property
    def status_label(self):
        return Judgement.Verdict(self.verdict.status).label if self.verdict else ""


def judge_criteria(criteria, *, today=None):
    """``{criterion id: Judged}`` for the criteria tied to a measure (the others are left out). A fixed
    number of queries: the criteria are grouped by measure, each measure's values are read once."""
    criteria = [c for c in criteria if c.measure_id]
    if not criteria:
        return {}
    today = today or timezone.localdate()
    measures = {m.pk: m for m in Measure.objects.filter(pk__in={c.measure_id for c in criteria},
                                                           organisation_id__in={c.organisation_id for c in criteria})}
    analyses = analyses_of(measures.values())
    starts = strategy_starts(Iteration(pk=c.iteration_id, project_id=c.project_id) for c in criteria)
    found = {}
    for c in criteria:
        measure = measures.get(c.measure_id)
        if measure is None:
            continue
        target = float(c.target_value) if c.target_value is not None else None
        verdict = None if target is None else verdicts.judge(
            analyses[measure.pk], target=target, direction=c.direction, due=c.target_date,
            started=starts.get(c.iteration_id), today=today)
        found[c.pk] = Judged(criterion=c, measure=measure, analysis=analyses[measure.pk],
                             started=starts.get(c.iteration_id), verdict=verdict, target=target)
    return found


def verdict_of(criterion, today=None):
    """The data's verdict on ``criterion``: ``verdicts.Verdict``, or None when it is not tied to a
    measure or has no numeric target."""
    judged = judge_criteria([criterion], today=today).get(criterion.pk)
    return judged.verdict if judged else None


def with_charts(judged, *, limit=None):
    """Draw the chart (target line and the strategy's start marked) and the data table of each
    ``Judged`` (the first ``limit`` of them); charts are cached by ``core.charts``."""
    from tailorkit.measures import charts as measure_charts

    from ..measure_events import start_event

    for j in list(judged)[:limit]:
        events = [start_event(j.started)] if j.started else []
        j.chart = measure_charts.spc_chart(j.measure, j.analysis, events=events, target=j.target)
        rows = measure_charts.table_rows(j.measure, j.analysis, events=events)
        j.rows, j.n_rows = rows[-TABLE_ROWS:], len(rows)
    return judged


# --- The measures a project relies on -------------------------------------------------------------------


@dataclass
class Relied:
    """A measure the project relies on: linked (``link``) and/or tied to a criterion of the current
    iteration (``criteria``), with its latest value and signal."""

    measure: Measure
    analysis: spc.Analysis
    link: ProjectMeasure | None = None
    criteria: list = field(default_factory=list)

    @property
    def latest(self):
        return next((p for p in reversed(self.analysis.points) if p.value is not None), None)

    @property
    def latest_period(self):
        return periods.label(self.measure.period, self.latest.period) if self.latest else ""

    @property
    def latest_signal(self):
        return self.analysis.latest_signal


def measures_of_project(project, iteration=None):
    """``[Relied]``: the measures linked to ``project`` and those tied to the success criteria of
    ``iteration`` (the current one when None), linked ones first, in a fixed number of queries."""
    iteration = iteration or project.current_iteration
    links = list(ProjectMeasure.objects.filter(project=project).select_related("measure__owner"))
    tied = list(SuccessCriterion.objects.filter(iteration=iteration, measure__isnull=False)
                .select_related("measure__owner").order_by("id")) if iteration else []
    measures = {link.measure_id: link.measure for link in links}
    for c in tied:
        measures.setdefault(c.measure_id, c.measure)
    measures = {pk: m for pk, m in measures.items() if m.organisation_id == project.organisation_id}
    analyses = analyses_of(measures.values())
    relied = {pk: Relied(measure=m, analysis=analyses[pk]) for pk, m in measures.items()}
    for link in links:
        if link.measure_id in relied:
            relied[link.measure_id].link = link
    for c in tied:
        if c.measure_id in relied:
            relied[c.measure_id].criteria.append(c)
    return sorted(relied.values(), key=lambda r: (r.link is None, r.measure.name.lower(), r.measure.pk))


def linkable_measures(project):
    """The organisation's measures that the project does not rely on yet (for the "link" form)."""
    return (Measure.objects.filter(organisation_id=project.organisation_id)
            .exclude(pk__in=ProjectMeasure.objects.filter(project=project).values("measure_id")).order_by("name", "pk"))


def with_verdicts(criteria, *, today=None, charts=True):
    """``criteria`` as a list, each with ``judged``: its ``Judged`` (chart and table drawn when
    ``charts``), or None when it is not tied to a measure."""
    criteria = list(criteria)
    found = judge_criteria(criteria, today=today)
    if charts:
        with_charts(found.values())
    for c in criteria:
        c.judged = found.get(c.pk)
    return criteria


# The summary (page and PDF) draws this many measures; the project's measures page lists them all.
SUMMARY_CHARTS = 6


def summary_measures(project, iteration):
    """``(charts, n_more)`` for the summary: the first ``SUMMARY_CHARTS`` measures the project relies
    on (``Relied``, each with ``chart``, ``rows``, ``n_rows``, the start of ``iteration``'s strategy
    marked and the target of the first criterion tied to it drawn) and how many more there are."""
    from tailorkit.measures import charts as measure_charts

    from ..measure_events import start_event

    relied = measures_of_project(project, iteration)
    started = strategy_starts([iteration]).get(iteration.pk) if iteration else None
    events = [start_event(started)] if started else []
    shown = relied[:SUMMARY_CHARTS]
    for r in shown:
        tied = next((c for c in r.criteria if c.target_value is not None), None)
        r.target = float(tied.target_value) if tied else None
        r.chart = measure_charts.spc_chart(r.measure, r.analysis, events=events, target=r.target)
        rows = measure_charts.table_rows(r.measure, r.analysis, events=events)
        r.rows, r.n_rows = rows[-TABLE_ROWS:], len(rows)
    return shown, len(relied) - len(shown)
