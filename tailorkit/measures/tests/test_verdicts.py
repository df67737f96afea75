"""Verdicts on success criteria judged from a measure's chart: met, not met, not yet and unclear."""

from datetime import date

from tailorkit.measures import periods, spc, verdicts
from tailorkit.measures.spc import Phase, Point
from tailorkit.measures.verdicts import (
    AT_LEAST,
    AT_MOST,
    CONSISTENTLY_MET,
    CONSISTENTLY_MISSED,
    HIT_AND_MISS,
    MET,
    NOT_MET,
    NOT_YET,
    UNCLEAR,
)

# 20 months from Jan 2024 around 11 (limits 5.68 to 16.32), ending on 10 in Aug 2025
BASE = [12, 10] * 10
EARLY, LATE = date(2024, 6, 1), date(2030, 1, 1)   # a target date long past, and one to come
TODAY = date(2027, 1, 1)


def points(values, *, denominators=None):
    out, start = [], date(2024, 1, 1)
    for i, value in enumerate(values):
        if denominators:
            out.append(Point(start, periods.plotted_value("proportion", value, denominators[i]), value,
                             denominators[i]))
        else:
            out.append(Point(start, value))
        start = periods.following("month", start)
    return out


def analysis(values, kind="count", phases=(), denominators=None):
    return spc.analyse(kind, points(values, denominators=denominators), better="up", phases=phases)


def judge(chart, target, *, direction=AT_LEAST, due=EARLY, started=None):
    return verdicts.judge(chart, target=target, direction=direction, due=due, started=started, today=TODAY)


def test_it_is_unclear_without_any_value():
    verdict = judge(analysis([None, None]), 10)
    assert verdict.status == UNCLEAR and verdict.latest_value is None
    assert "no values" in verdict.reasons[0]


def test_it_is_met_before_the_date_when_the_target_is_reached_with_a_sign_of_improvement():
    chart = analysis(BASE + [13] * 7)     # a run of 7 above the mean from Sep 2025
    verdict = judge(chart, 12.5, due=LATE, started=date(2025, 9, 1))
    assert (verdict.status, verdict.latest_value, verdict.improvement_since_start) == (MET, 13, True)
    assert verdict.reasons[0] == "The latest value, 13 in Mar 2026, meets the target (at least 12.5)."
    assert verdict.reasons[1] == "Since the strategy started (Sep 2025), the chart shows a sign of improvement."
    assert "7 points in a row above the average" in verdict.reasons[2]


def test_limits_from_before_the_start_are_not_used_once_the_chart_has_changed():
    verdict = judge(analysis(BASE + [13] * 7), 12.5, due=LATE, started=date(2025, 9, 1))
    assert verdict.capability is None
    assert any("rebase" in reason for reason in verdict.reasons)


def test_it_is_not_yet_met_before_the_date_when_the_latest_value_misses():
    verdict = judge(analysis(BASE + [13] * 7), 14, due=LATE, started=date(2025, 9, 1))
    assert verdict.status == NOT_YET and verdict.improvement_since_start is True
    assert "does not meet the target (at least 14)" in verdict.reasons[0]
    assert "has not come yet" in verdict.reasons[-1]


def test_it_is_not_met_after_the_date_when_the_target_is_consistently_missed():
    verdict = judge(analysis(BASE), 20)
    assert (verdict.status, verdict.capability, verdict.improvement_since_start) == (
        NOT_MET, CONSISTENTLY_MISSED, False)
    assert "above the upper limit (16.32)" in verdict.reasons[2]
    assert "has passed and the target is not met" in verdict.reasons[-1]


def test_it_is_not_met_when_the_latest_value_misses_without_a_sign_of_improvement():
    verdict = judge(analysis(BASE), 11.5)
    assert (verdict.status, verdict.capability) == (NOT_MET, HIT_AND_MISS)
    assert "between the limits (5.68 to 16.32)" in verdict.reasons[2]


def test_it_is_unclear_when_the_latest_value_meets_a_target_the_process_hits_and_misses():
    verdict = judge(analysis(BASE + [12]), 11.5)
    assert (verdict.status, verdict.capability, verdict.improvement_since_start) == (UNCLEAR, HIT_AND_MISS, False)
    assert "do not show clearly" in verdict.reasons[-1]


def test_it_is_met_when_the_process_meets_the_target_consistently_even_without_a_signal():
    verdict = judge(analysis(BASE), 5, due=LATE)
    assert (verdict.status, verdict.capability) == (MET, CONSISTENTLY_MET)
    assert "below the lower limit (5.68)" in verdict.reasons[2]


def test_at_most_targets_read_the_limits_the_other_way():
    assert judge(analysis(BASE), 20, direction=AT_MOST).capability == CONSISTENTLY_MET
    missed = judge(analysis(BASE), 3, direction=AT_MOST)
    assert (missed.status, missed.capability) == (NOT_MET, CONSISTENTLY_MISSED)
    assert "(at most 3)" in missed.reasons[0]


def test_a_sign_of_improvement_before_the_strategy_started_does_not_count():
    chart = analysis(BASE + [13] * 7 + [11] * 3)
    verdict = judge(chart, 10, started=date(2026, 4, 1))
    assert verdict.improvement_since_start is False
    assert verdict.reasons[1] == "Since the strategy started (Apr 2026), the chart shows no sign of improvement yet."
    assert verdict.capability == HIT_AND_MISS


def test_a_sign_of_concern_since_the_start_is_said():
    verdict = judge(analysis(BASE + [9] * 7), 10, started=date(2025, 9, 1))
    assert verdict.status == NOT_MET
    assert "no sign of improvement, but a sign of concern" in verdict.reasons[1]


def test_limits_of_a_phase_started_with_the_strategy_are_used():
    pts = points(BASE + [21, 19] * 6)
    chart = spc.analyse("count", pts, better="up", phases=[Phase(first=pts[20].period, reason="Strategy")])
    verdict = judge(chart, 18, started=pts[20].period)
    assert (verdict.capability, verdict.status) == (HIT_AND_MISS, UNCLEAR)
    assert "between the limits (14.68 to 25.32)" in verdict.reasons[2]


def test_a_run_chart_gives_no_capability():
    verdict = judge(analysis([10, 12, 11, 13, 12]), 11)
    assert verdict.capability is None and verdict.status == UNCLEAR
    assert "too few points for process limits" in verdict.reasons[2]


def test_it_says_when_there_are_no_values_since_the_strategy_started():
    verdict = judge(analysis(BASE), 5, started=date(2026, 1, 1))
    assert verdict.improvement_since_start is False
    assert "no values since the strategy started" in verdict.reasons[1]


def test_proportions_are_written_in_per_cent():
    numerators = [50, 52] * 10
    verdict = judge(analysis(numerators, kind="proportion", denominators=[100] * 20), 60)
    assert verdict.reasons[0] == "The latest value, 52 % in Aug 2025, does not meet the target (at least 60 %)."
