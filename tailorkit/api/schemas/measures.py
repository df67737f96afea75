"""Measures of an organisation, their values, the analysis of their chart, and the verdict on a
success criterion judged from a measure (issue 13).

Values are pushed as the numbers a person would type: ``value`` is the count, the numerator of a
proportion or rate, or the mean; ``denominator`` goes with proportions and rates (and, for a mean,
the number of cases it was taken from). The period may be any date inside it, an ISO week
(``2025-W12``) or a month (``2025-03``). Rules of the domain (an unknown period, a denominator
smaller than its numerator, the same period twice) are left to the service, which answers with a
400 naming the row and the field.
"""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from tailorkit.measures import periods
from tailorkit.measures.models import Measure
from tailorkit.measures.services.observations import MAX_ROWS

from .common import Email, In, Version, choices, model_text, text
from .organisations import PersonOut

MeasureKind = choices(Measure.Kind.values)
MeasurePeriod = choices(Measure.Period.values)
MeasureBetter = choices(Measure.Better.values)
RatePer = Annotated[int, Field(ge=1, le=2**31 - 1, description="For rates: the value is shown per this many.")]
# Finite numbers well inside what every database stores; the service refuses what is not a number.
Number = Annotated[float, Field(ge=-1e15, le=1e15)]
Count = Annotated[float, Field(ge=0, le=1e15)]
PeriodText = text(40, 1)  # a date, "2025-W12" or "2025-03": short text, checked by the service


# ---- measures ------------------------------------------------------------------------------------

class MeasureOut(Schema):
    id: int
    name: str
    counted: str
    unit: str
    kind: str
    period: str
    better: str
    rate_per: int
    data_source: str
    owner: PersonOut | None
    feed_key: str = Field(..., description="Set when the values come from a consultation "
                                            "(“consultation:<questionnaire id>:<scale>”); empty otherwise.")
    version: int
    created_at: datetime


class MeasureIn(In):
    name: model_text(Measure, "name", 1)
    counted: model_text(Measure, "counted") = Field("", description="What is counted, in words.")
    unit: model_text(Measure, "unit") = ""
    kind: MeasureKind = Measure.Kind.COUNT.value
    period: MeasurePeriod = Measure.Period.MONTH.value
    better: MeasureBetter = Measure.Better.UP.value
    rate_per: RatePer = 1000
    data_source: model_text(Measure, "data_source") = ""
    owner: Email | None = Field(None, description="Email address of a person in the organisation.")


class MeasurePatch(In):
    """Fields left out stay as they are. ``kind`` and ``period`` cannot change once the measure has values."""

    version: Version
    name: model_text(Measure, "name", 1) | None = None
    counted: model_text(Measure, "counted") | None = None
    unit: model_text(Measure, "unit") | None = None
    kind: MeasureKind | None = None
    period: MeasurePeriod | None = None
    better: MeasureBetter | None = None
    rate_per: RatePer | None = None
    data_source: model_text(Measure, "data_source") | None = None
    owner: Email | None = Field(None, description="Email address of a person in the organisation; null for nobody.")


# ---- values --------------------------------------------------------------------------------------

class ValueOut(Schema):
    period: date = Field(..., description="The first day of the period.")
    label: str = Field(..., description="The period as charts write it: 2025-03-17, 2025-W12, Mar 2025.")
    value: float = Field(..., description="The count, numerator or mean as entered.")
    denominator: float | None
    plotted: float | None = Field(..., description="What the chart shows: per cent for proportions, per "
                                                   "`rate_per` for rates; null when the denominator is 0.")
    source: str = Field(..., description="How the value came in: grid, upload, api or feed.")
    version: int
    updated_at: datetime

    @staticmethod
    def resolve_period(obj):
        return obj.period_start

    @staticmethod
    def resolve_label(obj):
        return periods.label(obj.measure.period, obj.period_start)

    @staticmethod
    def resolve_value(obj):
        return obj.numerator

    @staticmethod
    def resolve_plotted(obj):
        return obj.value


class ValueIn(In):
    period: PeriodText = Field(..., description="A date inside the period, an ISO week (2025-W12) or a month "
                                                "(2025-03).")
    value: Number = Field(..., description="The count, the numerator of a proportion or rate, or the mean.")
    denominator: Count | None = Field(None, description="Required for proportions and rates.")
    version: Version | None = Field(None, description="The version of the stored value you read, to refuse the "
                                                      "write (409) if someone changed it meanwhile.")


class ValuesIn(In):
    values: list[ValueIn] = Field(..., min_length=1, max_length=MAX_ROWS)


class ValuesSavedOut(Schema):
    created: int = Field(..., description="Periods that had no value before.")
    updated: int = Field(..., description="Periods whose value changed.")
    unchanged: int = Field(..., description="Periods that already had exactly this value.")


class ValuesRefusedOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)
    rows: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="The refused rows: their position in `values` (from 0) → {field: message}.")


# ---- analysis ------------------------------------------------------------------------------------

class PointOut(Schema):
    period: date
    label: str
    value: float | None
    centre: float | None
    upper: float | None = Field(None, description="Upper process limit; null on a run chart.")
    lower: float | None = Field(None, description="Lower process limit; null on a run chart.")
    mark: str | None = Field(None, description="improvement, concern or neutral when the point is part of a signal.")


class SignalOut(Schema):
    rule: str
    direction: str = Field(..., description="improvement, concern or neutral.")
    words: str = Field(..., description="What was seen, and what it suggests, in a sentence.")
    periods: list[date] = Field(..., description="The periods that make the signal.")


class PhaseOut(Schema):
    first: date
    last_baseline: date | None
    reason: str


class AnalysisOut(Schema):
    measure_id: int
    chart: str = Field(..., description="run (median and run rules), xmr or p (limits per point).")
    points: list[PointOut]
    phases: list[PhaseOut]
    signals: list[SignalOut]
    latest_signal: SignalOut | None = Field(None, description="The signal that includes the latest point.")
    notes: list[str]


# ---- verdicts ------------------------------------------------------------------------------------

class VerdictOut(Schema):
    status: str = Field(..., description="met, not_met, not_yet or unclear.")
    reasons: list[str] = Field(..., description="Why, in plain words, in order.")
    latest_value: float | None
    improvement_since_start: bool | None = Field(None, description="A signal of improvement after the strategy "
                                                                   "started; null when that is not known.")
    capability: str | None = Field(None, description="consistently_met, consistently_missed or hit_and_miss: where "
                                                     "the target lies against the process limits.")


class CriterionVerdictOut(Schema):
    criterion_id: int
    measure_id: int | None
    verdict: VerdictOut | None = Field(None, description="Null when the criterion has no measure or no numeric "
                                                         "target.")
