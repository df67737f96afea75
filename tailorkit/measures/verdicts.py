"""Whether a success criterion tied to a measure is met, judged from the measure's data.

INTERFACE (fixed; the implementation fills ``judge``):

``judge(analysis, *, target, direction, due, started=None, today)`` → ``Verdict``

* ``analysis``: ``spc.Analysis`` of the measure;
* ``target``: number in the measure's plotted units (per cent for proportions);
* ``direction``: ``AT_LEAST`` ("≥ target") or ``AT_MOST`` ("≤ target");
* ``due``: the date by which the target should be reached; ``started``: when the strategy started
  (the first period on or after it is the first "after" point), or None.

HOW A VERDICT IS REACHED (the help page ``measures:chart_rules`` says the same in plain words):

* No value at all → UNCLEAR.
* ``improvement_since_start``: a signal of improvement that includes a point on or after the first
  period from ``started`` (any signal of improvement when ``started`` is None).
* ``capability`` compares the target with the limits of the latest phase (the median of its
  per-point limits, which for a p-chart differ with the denominator): beyond the limit on the good
  side → CONSISTENTLY_MET, beyond the other → CONSISTENTLY_MISSED, between them → HIT_AND_MISS.
  None on a run chart, when the latest phase has no limits yet, or when the limits were worked out
  before ``started`` and the chart shows a signal since: they describe the process before it
  changed, so the team should rebase them.
* Before ``due``: MET when the latest value meets the target and there is a sign of improvement or
  the target is consistently met; otherwise NOT_YET.
* On or after ``due`` (or with no date): MET as above; NOT_MET when the target is consistently
  missed, or when the latest value misses it and there is no sign of improvement; otherwise
  UNCLEAR (the target is hit and missed, the process is improving but not there yet, or there are
  too few points to tell).

``reasons`` always say, in this order: the latest value against the target; whether the chart shows
a sign of improvement since the strategy started; where the target lies against the limits; and
what that means by the target date.
"""

import statistics
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from . import spc

MET, NOT_MET, NOT_YET, UNCLEAR = "met", "not_met", "not_yet", "unclear"
AT_LEAST, AT_MOST = "at_least", "at_most"
CONSISTENTLY_MET, CONSISTENTLY_MISSED, HIT_AND_MISS = "consistently_met", "consistently_missed", "hit_and_miss"


@dataclass
class Verdict:
    status: str                              # MET, NOT_MET, NOT_YET or UNCLEAR
    reasons: list[str] = field(default_factory=list)  # translated sentences in plain words, in order
    latest_value: float | None = None
    improvement_since_start: bool | None = None       # a signal of improvement after ``started``
    capability: str | None = None            # CONSISTENTLY_MET, CONSISTENTLY_MISSED, HIT_AND_MISS or None


class _Numbers:
    """Numbers written for people: at most two decimals, "%" when the points are percentages."""

    def __init__(self, analysis):
        with_sizes = [p for p in analysis.points if p.value is not None and p.denominator and p.numerator is not None]
        self.per_cent = analysis.chart == spc.P or (
            bool(with_sizes) and all(abs(p.value - 100 * p.numerator / p.denominator) < 1e-6 for p in with_sizes))

    def __call__(self, number):
        number = round(number, 2)
        text = formats.number_format(int(number) if number == int(number) else number)
        return f"{text} %" if self.per_cent else text


def _meets(value, target, direction):
    return value <= target if direction == AT_MOST else value >= target


def _first_after(points, started):
    if started is None:
        return 0
    return next((i for i, p in enumerate(points) if p.period >= started), None)


def _limits_of_latest_phase(analysis):
    """(lower, upper, span) of the latest phase, or (None, None, span) without limits."""
    spans = spc.phase_spans(analysis.points, analysis.phases)
    if not spans or not analysis.upper:
        return None, None, spans[-1] if spans else None
    span = spans[-1]
    uppers = [analysis.upper[i] for i in range(span.lo, span.hi) if analysis.upper[i] is not None]
    lowers = [analysis.lower[i] for i in range(span.lo, span.hi) if analysis.lower[i] is not None]
    if not uppers or not lowers:
        return None, None, span
    return statistics.median(lowers), statistics.median(uppers), span


def _capability(analysis, *, target, direction, first_after, number):
    """(capability, reason)."""
    lower, upper, span = _limits_of_latest_phase(analysis)
    if lower is None:
        return None, _("There are too few points for process limits yet, so the chart cannot tell how reliably "
                       "the target will be met.")
    if first_after is not None and first_after > 0 and span.base_hi - 1 < first_after and any(
            s.direction != spc.NEUTRAL and max(s.indices) >= first_after for s in analysis.signals):
        return None, _("The limits were worked out from periods before the strategy started and the chart has "
                       "changed since, so they no longer show how reliably the target is met: rebase the limits "
                       "from the start of the strategy to see that.")
    good, bad = (lower, upper) if direction == AT_LEAST else (upper, lower)
    args = {"lower": number(lower), "upper": number(upper)}
    if _meets(good, target, direction):
        reason = (_("The target lies at or below the lower limit (%(lower)s), so the process as it runs now "
                    "should meet it in nearly every period.") if direction == AT_LEAST else
                  _("The target lies at or above the upper limit (%(upper)s), so the process as it runs now "
                    "should meet it in nearly every period."))
        return CONSISTENTLY_MET, reason % args
    if not _meets(bad, target, direction):
        reason = (_("The target lies above the upper limit (%(upper)s), so the process as it runs now will miss "
                    "it in nearly every period unless it changes.") if direction == AT_LEAST else
                  _("The target lies below the lower limit (%(lower)s), so the process as it runs now will miss "
                    "it in nearly every period unless it changes."))
        return CONSISTENTLY_MISSED, reason % args
    return HIT_AND_MISS, _("The target lies between the limits (%(lower)s to %(upper)s), so the process as it runs "
                           "now will meet it in some periods and miss it in others.") % args


def _signal_reasons(analysis, first_after, started_label):
    """(improvement, reasons) about signals since the strategy started."""
    if first_after is None:
        return False, [_("There are no values since the strategy started (%(period)s) yet, so the chart cannot "
                         "show its effect.") % {"period": started_label}]
    recent = [s for s in analysis.signals if max(s.indices) >= first_after]
    improvements = [s for s in recent if s.direction == spc.IMPROVEMENT]
    concerns = [s for s in recent if s.direction == spc.CONCERN]
    args = {"period": started_label}
    if improvements:
        text = (_("Since the strategy started (%(period)s), the chart shows a sign of improvement.") if started_label
                else _("The chart shows a sign of improvement."))
        return True, [text % args, improvements[-1].words]
    if concerns:
        text = (_("Since the strategy started (%(period)s), the chart shows no sign of improvement, but a sign of "
                  "concern.") if started_label else _("The chart shows no sign of improvement, but a sign of concern."))
        return False, [text % args, concerns[-1].words]
    text = (_("Since the strategy started (%(period)s), the chart shows no sign of improvement yet.") if started_label
            else _("The chart shows no sign of improvement."))
    return False, [text % args]


def judge(analysis, *, target, direction, due, started=None, today):
    """The verdict on "the measure is ``direction`` ``target`` by ``due``"; see the module docstring."""
    points = analysis.points
    last = next((i for i in range(len(points) - 1, -1, -1) if points[i].value is not None), None)
    if last is None:
        return Verdict(status=UNCLEAR, reasons=[_("There are no values yet, so the data cannot judge this "
                                                  "criterion.")])
    number = _Numbers(analysis)
    latest, meets = points[last].value, _meets(points[last].value, target, direction)
    wanted = (_("at least %(target)s") if direction == AT_LEAST
              else _("at most %(target)s")) % {"target": number(target)}
    args = {"value": number(latest), "period": spc.label_of(points, points[last].period), "target": wanted}
    reasons = [(_("The latest value, %(value)s in %(period)s, meets the target (%(target)s).") if meets else
                _("The latest value, %(value)s in %(period)s, does not meet the target (%(target)s).")) % args]

    first_after = _first_after(points, started)
    started_label = ""
    if started is not None:
        started_label = (spc.label_of(points, points[first_after].period) if first_after is not None
                         else formats.date_format(started, "DATE_FORMAT"))
    improvement, signal_reasons = _signal_reasons(analysis, first_after, started_label)
    reasons += signal_reasons
    capability, limits_reason = _capability(analysis, target=target, direction=direction, first_after=first_after,
                                            number=number)
    reasons.append(limits_reason)

    due_label = formats.date_format(due, "DATE_FORMAT") if due else ""
    good = improvement or capability == CONSISTENTLY_MET
    if meets and good:
        status = MET
        reasons.append(_("So the criterion is met, and the chart backs it up."))
    elif due is not None and today < due:
        status = NOT_YET
        reasons.append(_("The target date (%(due)s) has not come yet.") % {"due": due_label})
    elif capability == CONSISTENTLY_MISSED or (not meets and not improvement):
        status = NOT_MET
        reasons.append((_("The target date (%(due)s) has passed and the target is not met.") if due else
                        _("The target is not met.")) % {"due": due_label})
    else:
        status = UNCLEAR
        reasons.append((_("The target date (%(due)s) has passed, but the data do not show clearly whether the "
                          "target is met.") if due else
                        _("The data do not show clearly whether the target is met.")) % {"due": due_label})
    return Verdict(status=status, reasons=reasons, latest_value=latest, improvement_since_start=improvement,
                   capability=capability)
