"""Run charts and statistical process control (SPC) charts, and the signals they show.

INTERFACE (fixed; the implementation fills the functions below — see the docstrings):

* ``Point(period, value, numerator=None, denominator=None)``: one period in time order; ``value`` is
  what is plotted (``periods.plotted_value``), ``None`` for a period without a usable value (it is
  kept on the axis and skipped by every rule).
* ``Phase(first, last_baseline=None, reason="")``: limits are calculated from the points of the
  phase from ``first`` up to ``last_baseline`` (all points of the phase when ``None``) and carried
  forward, fixed, to the start of the next phase.
* ``analyse(kind, points, *, better, phases=())`` → ``Analysis``: picks the chart for the measure's
  kind (``chart_type``) and applies its rules.

HOW THE RULES ARE APPLIED (the help page ``measures:chart_rules`` says the same in plain words):

* **Phases.** The points before the first phase's ``first`` form an implicit first phase whose
  baseline is its first ``DEFAULT_BASELINE`` (20) points with values: limits are worked out from them
  and then kept fixed, so a change after them shows up as a signal instead of moving the limits.
  ``Analysis.phases`` lists only the phases that were given and hold at least one point (the
  implicit first phase is not listed). Every rule works inside one phase: a run never crosses a
  rebase.
* **Limits need data.** A phase gets limits only when its baseline holds ``MIN_LIMIT_POINTS`` (12)
  points with values; otherwise that phase is shown as a run chart around the median of its baseline
  (no limits; a note says so). If no phase has limits the whole analysis is a run chart (``RUN``,
  empty ``upper``/``lower``).
* **Run chart** (Anhøj J, Olesen AV. Run charts revisited: a simulation study of run chart rules for
  detection of non-random variation in health care processes. PLoS One 2014;9(11):e113825; Anhøj J.
  Diagnostic value of run chart analysis. PLoS One 2015;10(3):e0121349): points on the median are
  dropped; with n useful points (at least ``MIN_RUN_POINTS``, 10), a run longer than
  round(log2(n) + 3) is a shift ("shift"), and fewer crossings of the median than the 5th percentile
  of Binomial(n − 1, 0.5) is a signal without a direction ("crossings").
* **XmR chart** (counts, means, rates): centre = mean of the baseline, limits = mean ± 2.66 × the
  mean moving range of the baseline (moving ranges only between neighbouring points that both have a
  value), the lower limit not below 0 for counts and rates. **p-chart** (proportions, in per cent):
  p̄ = Σ numerators / Σ denominators of the baseline; limits per point p̄ ± 3√(p̄(1 − p̄)/nᵢ), within
  [0, 100] %; a point whose denominator is 0 has no value and no limits (Montgomery DC, Introduction
  to Statistical Quality Control, Wiley). Both use the NHS England "Making Data Count" rules (Making
  Data Count: Strengthening your decisions, NHS England and NHS Improvement 2019): a point beyond a
  limit ("beyond_limits"); 7 or more points in a row on one side of the centre ("run_of_7"; a point
  exactly on the centre ends the run, as in the NHS "plot the dots" tool); 7 or more points in a row
  each higher, or each lower, than the one before ("trend_of_7"; an equal value ends it); two of
  three points in a row beyond the 2-sigma line on the same side ("two_of_three"; 2 sigma is two
  thirds of the way from the centre to a limit; a point beyond the limit counts, but a group made
  only of points beyond the limit is left to "beyond_limits").
* **Direction.** ``better`` is "up" or "down" (``Measure.Better``); anything else makes every signal
  NEUTRAL. ``marks``: CONCERN wins over IMPROVEMENT, which wins over NEUTRAL.

Every pass is linear in the number of points (sorting for the median aside): 520 weekly points
analyse in a few milliseconds.
"""

import math
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

IMPROVEMENT, CONCERN, NEUTRAL = "improvement", "concern", "neutral"
RUN, XMR, P = "run", "xmr", "p"

MIN_LIMIT_POINTS = 12   # points with values a phase's baseline needs before it gets limits
MIN_RUN_POINTS = 10     # useful points (not on the median) the run chart rules need (Anhøj 2014)
DEFAULT_BASELINE = 20   # the implicit first phase takes its limits from its first 20 points with values
XMR_LIMIT = 2.66        # 3 / d2, with d2 = 1.128 for moving ranges of two points (Montgomery; MDC)
SHIFT_LENGTH = 7        # MDC: 7 or more points in a row on one side of the mean
TREND_LENGTH = 7        # MDC: 7 or more points in a row each higher (or lower) than the one before
_LIMIT_KINDS = ("count", "mean", "rate", "proportion")
_ZERO_FLOOR = ("count", "rate", "proportion")
_PRIORITY = {CONCERN: 3, IMPROVEMENT: 2, NEUTRAL: 1}
_RULE_ORDER = ("beyond_limits", "two_of_three", "trend_of_7", "run_of_7", "shift", "crossings")


@dataclass(frozen=True)
class Point:
    period: date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Phase:
    first: date
    last_baseline: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class Signal:
    rule: str                 # a code: "shift", "crossings", "beyond_limits", "run_of_7", "trend_of_7", "two_of_three"
    indices: tuple[int, ...]  # the points (indices into Analysis.points) that make the signal
    direction: str            # IMPROVEMENT, CONCERN or NEUTRAL (no direction: too few crossings)
    words: str                # one translated sentence for people: what was seen, and what it suggests


@dataclass
class Analysis:
    chart: str                                    # RUN, XMR or P
    points: list[Point]
    centre: list[float | None]                    # per point: median (run chart) or mean / p-bar
    upper: list[float | None] = field(default_factory=list)  # per point; empty for a run chart
    lower: list[float | None] = field(default_factory=list)
    phases: list[Phase] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    marks: list[str | None] = field(default_factory=list)    # per point: IMPROVEMENT / CONCERN / NEUTRAL / None
    notes: list[str] = field(default_factory=list)  # translated: e.g. "Too few points for limits (needs 12)"

    @property
    def latest_signal(self):
        """The signal that includes the most recent point, or None."""
        last = next((i for i in range(len(self.points) - 1, -1, -1) if self.points[i].value is not None), None)
        if last is None:
            return None
        found = [s for s in self.signals if last in s.indices]
        return max(found, key=lambda s: _PRIORITY.get(s.direction, 0), default=None)


# --- Phases ----------------------------------------------------------------------------------------

Span = namedtuple("Span", "lo hi base_hi phase")
Span.__doc__ = """Points ``lo`` to ``hi - 1`` form one phase; its limits come from ``lo`` to ``base_hi - 1``;
``phase`` is the given ``Phase``, or None for the implicit first phase."""


def phase_spans(points, phases=()):
    """The phases as index ranges of ``points`` (which are in time order), first to last; phases
    without points are left out. Verdicts use it to find the limits of the latest phase."""
    ordered, seen = [], set()
    for phase in sorted(phases, key=lambda p: p.first):
        if phase.first not in seen:
            seen.add(phase.first)
            ordered.append(phase)
    n, i, starts = len(points), 0, []
    for phase in ordered:
        while i < n and points[i].period < phase.first:
            i += 1
        starts.append((i, phase))
    spans = []
    first_lo = starts[0][0] if starts else n
    if first_lo > 0:
        base_hi, valued = first_lo, 0
        for j in range(first_lo):
            if points[j].value is not None:
                valued += 1
                if valued == DEFAULT_BASELINE:
                    base_hi = j + 1
                    break
        spans.append(Span(0, first_lo, base_hi, None))
    for k, (lo, phase) in enumerate(starts):
        hi = starts[k + 1][0] if k + 1 < len(starts) else n
        if lo == hi:
            continue
        base_hi = hi
        if phase.last_baseline is not None:
            base_hi = lo
            while base_hi < hi and points[base_hi].period <= phase.last_baseline:
                base_hi += 1
        spans.append(Span(lo, hi, base_hi, phase))
    return spans


# --- Words -----------------------------------------------------------------------------------------

def _period_kind(points):
    """Guess from the dates whether the points are months, weeks or days (for labels only)."""
    days = [p.period for p in points]
    if all(d.day == 1 for d in days) and all((b - a).days >= 28 for a, b in zip(days, days[1:], strict=False)):
        return "month"
    if all(d.weekday() == 0 for d in days) and all((b - a).days % 7 == 0 for a, b in zip(days, days[1:], strict=False)):
        return "week"
    return "day"


def period_label(kind, day):
    """A period written as on the charts: Mar 2025, 2025-W12 or 2025-03-17 (``kind`` from
    ``_period_kind``; the same forms as ``periods.label``)."""
    if kind == "month":
        return formats.date_format(day, "M Y")
    if kind == "week":
        year, week, _day = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def label_of(points, day):
    """``day`` written the way the chart of ``points`` writes its periods."""
    return period_label(_period_kind(points), day)


def _meaning(direction):
    return {IMPROVEMENT: _("a sign of improvement."), CONCERN: _("a sign of concern."),
            NEUTRAL: _("a sign that the process has changed, though this rule does not say in which way.")}[direction]


class _Words:
    def __init__(self, points):
        self.points = points
        self.kind = _period_kind(points) if points else "day"

    def span(self, indices):
        first = period_label(self.kind, self.points[indices[0]].period)
        last = period_label(self.kind, self.points[indices[-1]].period)
        if first == last:
            return _("in %(first)s") % {"first": first}
        return _("from %(first)s to %(last)s") % {"first": first, "last": last}

    def sentence(self, seen, direction):
        return _("%(seen)s: %(meaning)s") % {"seen": seen, "meaning": _meaning(direction)}


def _seen(rule, side, count, where, limit=None):
    """What was seen, as the first half of a signal's sentence."""
    up = side > 0
    if rule == "beyond_limits":
        text = (ngettext("%(count)s point above the upper limit %(span)s",
                         "%(count)s points above the upper limit %(span)s", count) if up else
                ngettext("%(count)s point below the lower limit %(span)s",
                         "%(count)s points below the lower limit %(span)s", count))
    elif rule == "run_of_7":
        text = (_("%(count)s points in a row above the average %(span)s") if up
                else _("%(count)s points in a row below the average %(span)s"))
    elif rule == "trend_of_7":
        text = (_("%(count)s points in a row, each higher than the one before, %(span)s") if up
                else _("%(count)s points in a row, each lower than the one before, %(span)s"))
    elif rule == "two_of_three":
        text = (_("Two of three points close to or beyond the upper limit %(span)s") if up
                else _("Two of three points close to or beyond the lower limit %(span)s"))
    elif rule == "shift":
        text = (_("%(count)s points in a row above the median %(span)s, more than the %(limit)s chance explains")
                if up else
                _("%(count)s points in a row below the median %(span)s, more than the %(limit)s chance explains"))
    else:  # crossings
        text = ngettext("The line crosses the median only %(count)s time %(span)s, "
                        "fewer than the %(limit)s expected by chance",
                        "The line crosses the median only %(count)s times %(span)s, "
                        "fewer than the %(limit)s expected by chance", count)
    return text % {"count": count, "span": where, "limit": limit}


# --- Helpers ---------------------------------------------------------------------------------------

def _tolerance(reference):
    return 1e-9 * max(1.0, abs(reference))


def _side(value, line):
    """+1 above ``line``, -1 below, 0 on it (within rounding)."""
    if line is None:
        return 0
    diff = value - line
    if abs(diff) <= _tolerance(line):
        return 0
    return 1 if diff > 0 else -1


def _direction(side, better):
    if better == "up":
        return IMPROVEMENT if side > 0 else CONCERN
    if better == "down":
        return CONCERN if side > 0 else IMPROVEMENT
    return NEUTRAL


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@lru_cache(maxsize=1024)
def crossings_needed(trials):
    """The 5th percentile of Binomial(trials, 0.5), as R's qbinom(0.05, trials, 0.5): the smallest x
    with P(X ≤ x) ≥ 0.05, worked out exactly with whole numbers (Anhøj 2014)."""
    total, cumulative = 2 ** trials, 0
    for x in range(trials + 1):
        cumulative += math.comb(trials, x)
        if cumulative * 20 >= total:
            return x
    return trials


def longest_run_allowed(useful):
    """The longest run chance explains with ``useful`` points: round(log2(n) + 3) (Anhøj 2014)."""
    return round(math.log2(useful) + 3)


def _runs(items):
    """Group ``(index, side)`` items (side ≠ 0 continues a run, 0 ends it) into runs of one side."""
    runs, current, current_side = [], [], 0
    for index, side in items:
        if side != 0 and side == current_side:
            current.append(index)
            continue
        if current:
            runs.append((current_side, current))
        current, current_side = ([index], side) if side != 0 else ([], 0)
    if current:
        runs.append((current_side, current))
    return runs


# --- The analysis ----------------------------------------------------------------------------------

class _Analyser:
    def __init__(self, kind, points, better):
        self.kind, self.points, self.better = kind, points, better
        n = len(points)
        self.centre, self.upper, self.lower = [None] * n, [None] * n, [None] * n
        self.near_upper, self.near_lower = [None] * n, [None] * n
        self.signals, self.notes = [], []
        self.words = _Words(points)

    def valued(self, lo, hi):
        return [i for i in range(lo, hi) if self.points[i].value is not None]

    def add(self, rule, indices, side, limit=None, direction=None, count=None):
        direction = direction or _direction(side, self.better)
        seen = _seen(rule, side, len(indices) if count is None else count, self.words.span(indices), limit)
        self.signals.append(Signal(rule=rule, indices=tuple(indices), direction=direction,
                                   words=self.words.sentence(seen, direction)))

    def where(self, span):
        return period_label(self.words.kind, self.points[span.lo].period)

    # Limits ---------------------------------------------------------------------------------------
    def limits(self, chart, span):
        """Set centre and limits for the phase; False (and a note) when its baseline is too short."""
        base = self.valued(span.lo, span.base_hi)
        if chart == P:
            base = [i for i in base if (self.points[i].denominator or 0) > 0 and self.points[i].numerator is not None]
        if len(base) < MIN_LIMIT_POINTS:
            self.too_few_for_limits(span, len(base))
            return False
        return self.p_limits(span, base) if chart == P else self.xmr_limits(span, base)

    def too_few_for_limits(self, span, count):
        if span.lo == 0 and span.phase is None:
            self.notes.append(_("Too few points for limits (%(count)s of the %(needed)s needed): shown as a run "
                                "chart around the median.") % {"count": count, "needed": MIN_LIMIT_POINTS})
        else:
            self.notes.append(_("From %(period)s, too few points for limits (%(count)s of the %(needed)s needed): "
                                "that part is shown as a run chart around the median.")
                              % {"period": self.where(span), "count": count, "needed": MIN_LIMIT_POINTS})

    def xmr_limits(self, span, base):
        pts = self.points
        mean = sum(pts[i].value for i in base) / len(base)
        ranges = [abs(pts[i].value - pts[i - 1].value) for i in range(span.lo + 1, span.base_hi)
                  if pts[i].value is not None and pts[i - 1].value is not None]
        if not ranges:
            self.too_few_for_limits(span, 0)
            return False
        half = XMR_LIMIT * sum(ranges) / len(ranges)
        upper, lower = mean + half, mean - half
        if self.kind in _ZERO_FLOOR:
            lower = max(lower, 0.0)
        for i in range(span.lo, span.hi):
            self.centre[i], self.upper[i], self.lower[i] = mean, upper, lower
            self.near_upper[i], self.near_lower[i] = mean + half * 2 / 3, mean - half * 2 / 3
        return True

    def p_limits(self, span, base):
        pts = self.points
        p_bar = sum(pts[i].numerator for i in base) / sum(pts[i].denominator for i in base)
        spread = math.sqrt(max(0.0, p_bar * (1 - p_bar)))
        for i in range(span.lo, span.hi):
            self.centre[i] = 100 * p_bar
            size = pts[i].denominator or 0
            if pts[i].value is None or size <= 0:
                continue
            sigma = spread / math.sqrt(size)
            self.upper[i], self.lower[i] = min(100.0, 100 * (p_bar + 3 * sigma)), max(0.0, 100 * (p_bar - 3 * sigma))
            self.near_upper[i], self.near_lower[i] = 100 * (p_bar + 2 * sigma), 100 * (p_bar - 2 * sigma)
        return True

    # Making Data Count rules ---------------------------------------------------------------------
    def mdc_rules(self, span):
        pts, seq = self.points, self.valued(span.lo, span.hi)
        # A point beyond a limit; neighbouring points beyond the same limit make one signal.
        beyond = []
        for i in seq:
            side = 0
            if self.upper[i] is not None and _side(pts[i].value, self.upper[i]) > 0:
                side = 1
            elif self.lower[i] is not None and _side(pts[i].value, self.lower[i]) < 0:
                side = -1
            beyond.append((i, side))
        for side, run in _runs(beyond):
            self.add("beyond_limits", run, side)
        # Two of three points in a row beyond the 2-sigma line on the same side.
        self.two_of_three(seq, dict(beyond))
        # A trend: each point higher (or lower) than the one before.
        self.trends(seq)
        # A run on one side of the centre; a point on the centre ends it.
        for side, run in _runs((i, _side(pts[i].value, self.centre[i])) for i in seq):
            if len(run) >= SHIFT_LENGTH:
                self.add("run_of_7", run, side)

    def two_of_three(self, seq, beyond):
        pts = self.points
        for side in (1, -1):
            near = [(self.near_upper[i] if side > 0 else self.near_lower[i]) for i in seq]
            flags = [line is not None and _side(pts[i].value, line) == side for i, line in zip(seq, near, strict=True)]
            chosen = set()
            for j in range(len(seq) - 2):
                window = [k for k in (j, j + 1, j + 2) if flags[k]]
                if len(window) >= 2:
                    chosen.update(window)
            group = []
            for k in sorted(chosen):
                if group and k - group[-1] > 2:
                    self.two_of_three_signal(group, seq, beyond, side)
                    group = []
                group.append(k)
            if group:
                self.two_of_three_signal(group, seq, beyond, side)

    def two_of_three_signal(self, group, seq, beyond, side):
        indices = [seq[k] for k in group]
        if any(beyond[i] != side for i in indices):
            self.add("two_of_three", indices, side)

    def trends(self, seq):
        pts, run, run_side = self.points, [], 0
        for i in seq:
            if not run:
                run = [i]
                continue
            previous = pts[run[-1]].value
            step = _side(pts[i].value, previous)
            if step != 0 and step == run_side:
                run.append(i)
                continue
            self.trend_found(run, run_side)
            run, run_side = ([run[-1], i], step) if step != 0 else ([i], 0)
        self.trend_found(run, run_side)

    def trend_found(self, run, side):
        if side != 0 and len(run) >= TREND_LENGTH:
            self.add("trend_of_7", run, side)

    # Run chart (Anhøj) ---------------------------------------------------------------------------
    def run_chart(self, span):
        pts = self.points
        base = [pts[i].value for i in self.valued(span.lo, span.base_hi)]
        if not base:
            return
        median = _median(base)
        for i in range(span.lo, span.hi):
            self.centre[i] = median
        useful = [(i, s) for i in self.valued(span.lo, span.hi) if (s := _side(pts[i].value, median)) != 0]
        if len(useful) < MIN_RUN_POINTS:
            args = {"count": len(useful), "needed": MIN_RUN_POINTS, "period": self.where(span)}
            self.notes.append((_("Too few points away from the median for the run chart rules (%(count)s of the "
                                 "%(needed)s needed): no signals yet.") if span.lo == 0 else
                               _("From %(period)s, too few points away from the median for the run chart rules "
                                 "(%(count)s of the %(needed)s needed): no signals there yet.")) % args)
            return
        longest = longest_run_allowed(len(useful))
        runs = _runs(useful)
        for side, run in runs:
            if len(run) > longest:
                self.add("shift", run, side, limit=longest)
        crossings, needed = len(runs) - 1, crossings_needed(len(useful) - 1)
        if crossings < needed:
            self.add("crossings", [i for i, _s in useful], 0, limit=needed, direction=NEUTRAL, count=crossings)


def chart_type(kind, points):
    """RUN when there are too few points with values for limits, else P for proportions and XMR
    for counts, means and rates."""
    if kind not in _LIMIT_KINDS or sum(p.value is not None for p in points) < MIN_LIMIT_POINTS:
        return RUN
    return P if kind == "proportion" else XMR


def analyse(kind, points, *, better, phases=()):
    """The chart for ``points`` (in time order) of a measure of ``kind``, with its signals; see the
    module docstring for the rules and their sources."""
    points = list(points)
    chart = chart_type(kind, points)
    spans = phase_spans(points, phases)
    work = _Analyser(kind, points, better)
    if chart == RUN and kind in _LIMIT_KINDS and points:
        work.notes.append(_("Too few points for limits (%(count)s of the %(needed)s needed): a run chart around "
                            "the median instead.") % {"count": sum(p.value is not None for p in points),
                                                       "needed": MIN_LIMIT_POINTS})
    with_limits = False
    for span in spans:
        if chart != RUN and work.limits(chart, span):
            with_limits = True
            work.mdc_rules(span)
        else:
            work.run_chart(span)
    if chart != RUN and not with_limits:
        chart = RUN
    if spans and spans[0].phase is None and spans[0].base_hi < spans[0].hi and with_limits:
        work.notes.append(_("The limits come from the first %(count)s points and are then kept fixed; rebase "
                            "them when the process has changed for good.") % {"count": DEFAULT_BASELINE})
    order = {rule: n for n, rule in enumerate(_RULE_ORDER)}
    signals = sorted(work.signals, key=lambda s: (s.indices[0], order.get(s.rule, 99)))
    marks = [None] * len(points)
    for signal in signals:
        for i in signal.indices:
            if marks[i] is None or _PRIORITY[signal.direction] > _PRIORITY[marks[i]]:
                marks[i] = signal.direction
    return Analysis(chart=chart, points=points, centre=work.centre,
                    upper=[] if chart == RUN else work.upper, lower=[] if chart == RUN else work.lower,
                    phases=[s.phase for s in spans if s.phase is not None], signals=signals, marks=marks,
                    notes=work.notes)
