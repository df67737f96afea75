"""The chart rules on fixed series whose signals follow from the published definitions: Anhøj's run
chart rules (PLoS One 2014, 2015) and the NHS "Making Data Count" rules on XmR charts and p-charts."""

import math
from datetime import date

import pytest

from tailorkit.measures import periods, spc
from tailorkit.measures.spc import CONCERN, IMPROVEMENT, NEUTRAL, RUN, XMR, P, Phase, Point

# 20 points alternating around 11: mean 11, average moving range 2, limits 11 ± 5.32 (5.68 to 16.32),
# the 2-sigma lines two thirds of the way out (7.45 and 14.55). It ends below the mean.
BASE = [12, 10] * 10


def points(values, *, first=date(2024, 1, 1), period="month", denominators=None):
    out, start = [], first
    for i, value in enumerate(values):
        if denominators is None:
            out.append(Point(start, value))
        else:
            d = denominators[i]
            out.append(Point(start, periods.plotted_value("proportion", value, d), value, d))
        start = periods.following(period, start)
    return out


def rules(analysis):
    return [(s.rule, s.indices, s.direction) for s in analysis.signals]


# --- Which chart ---------------------------------------------------------------------------------

def test_it_draws_a_run_chart_around_the_median_with_fewer_than_12_values():
    analysis = spc.analyse("count", points([3, 9, 4, 8, 5, 7, 6, 1, 2, 10, 11]), better="up")
    assert analysis.chart == RUN
    assert analysis.centre == [6] * 11
    assert analysis.upper == [] and analysis.lower == []
    assert any("12" in note for note in analysis.notes)


def test_it_picks_xmr_for_counts_means_and_rates_and_p_for_proportions_from_12_values():
    twelve = points([1.0] * 12)
    assert [spc.chart_type(kind, twelve) for kind in ("count", "mean", "rate", "proportion")] == [XMR, XMR, XMR, P]
    eleven_and_a_gap = points([1.0] * 11 + [None])
    assert spc.chart_type("count", eleven_and_a_gap) == RUN


def test_it_handles_no_points_at_all():
    analysis = spc.analyse("count", [], better="up")
    assert (analysis.chart, analysis.signals, analysis.marks, analysis.latest_signal) == (RUN, [], [], None)


# --- Run chart rules (Anhøj) ---------------------------------------------------------------------

def test_its_run_chart_thresholds_match_anhojs_table():
    # Anhøj & Olesen 2014, table of critical values: n useful points → longest run, fewest crossings
    table = {10: (6, 2), 12: (7, 3), 15: (7, 4), 20: (7, 6), 24: (8, 8), 30: (8, 10), 50: (9, 19), 100: (10, 41)}
    assert {n: (spc.longest_run_allowed(n), spc.crossings_needed(n - 1)) for n in table} == table


def test_it_drops_points_on_the_median_from_runs_without_breaking_them():
    # median 5; the 5 at index 4 sits inside a run of eight 2s; n = 18 useful points, runs above 7 signal
    series = [2, 2, 2, 2, 5, 2, 2, 2, 2, 8, 8, 8, 8, 8, 8, 8, 8, 2, 8, 5]
    analysis = spc.analyse("index", points(series), better="up")
    assert analysis.chart == RUN and analysis.centre[0] == 5
    shifts = [s for s in analysis.signals if s.rule == "shift"]
    assert [(s.indices, s.direction) for s in shifts] == [
        ((0, 1, 2, 3, 5, 6, 7, 8), CONCERN), ((9, 10, 11, 12, 13, 14, 15, 16), IMPROVEMENT)]
    assert analysis.marks[4] is None  # on the median: in no run and no crossing
    assert "8 points in a row below the median from Jan 2024 to Sep 2024" in shifts[0].words


def test_it_finds_too_few_crossings_without_a_direction():
    series = [2, 2, 2, 2, 5, 2, 2, 2, 2, 8, 8, 8, 8, 8, 8, 8, 8, 2, 8, 5]
    crossings = [s for s in spc.analyse("index", points(series), better="up").signals if s.rule == "crossings"]
    assert len(crossings) == 1 and crossings[0].direction == NEUTRAL
    assert 4 not in crossings[0].indices and 19 not in crossings[0].indices  # on the median: not counted
    assert "only 3 times" in crossings[0].words and "fewer than the 5" in crossings[0].words


def test_a_run_as_long_as_the_threshold_is_no_signal():
    # 20 useful points around a median of 5: a run of 7 is allowed (round(log2(20) + 3) = 7), 8 is not
    seven = spc.analyse("index", points([1] * 7 + [9] * 7 + [1, 9] * 3), better="up")
    eight = spc.analyse("index", points([1] * 8 + [9] * 8 + [1, 9] * 2), better="up")
    assert "shift" not in [s.rule for s in seven.signals]
    assert ("shift", tuple(range(8)), CONCERN) in rules(eight)
    assert ("shift", tuple(range(8, 16)), IMPROVEMENT) in rules(eight)


def test_it_gives_no_run_chart_signals_below_10_useful_points():
    analysis = spc.analyse("count", points([1, 1, 1, 1, 1, 1, 1, 1, 9, 5, 5]), better="up")
    assert analysis.chart == RUN and analysis.signals == []
    assert any("10" in note for note in analysis.notes)


# --- XmR chart -----------------------------------------------------------------------------------

def test_its_xmr_limits_are_the_mean_plus_or_minus_266_average_moving_ranges():
    analysis = spc.analyse("count", points(BASE), better="up")
    assert analysis.chart == XMR
    assert analysis.centre == [11] * 20
    assert analysis.upper == pytest.approx([11 + 2.66 * 2] * 20)
    assert analysis.lower == pytest.approx([11 - 2.66 * 2] * 20)
    assert analysis.signals == []


def test_it_skips_moving_ranges_next_to_a_missing_value():
    analysis = spc.analyse("mean", points([10, 12, None, 30, 32] + [10, 12] * 5), better="up")
    # ranges 2, 2, 2 … (12 → None → 30 is no range): 11 ranges of 2 and one of 20 (32 → 10)
    ranges = [2] * 11 + [22]
    assert analysis.upper[0] == pytest.approx(analysis.centre[0] + 2.66 * sum(ranges) / len(ranges))


def test_its_lower_limit_stays_at_zero_for_counts_but_not_for_means():
    series = [0, 5] * 6
    assert spc.analyse("count", points(series), better="up").lower[0] == 0
    assert spc.analyse("mean", points(series), better="up").lower[0] == pytest.approx(2.5 - 2.66 * 5)


def test_a_point_beyond_the_upper_limit_is_improvement_when_higher_is_better():
    up = spc.analyse("count", points(BASE + [17]), better="up")
    down = spc.analyse("count", points(BASE + [17]), better="down")
    assert rules(up) == [("beyond_limits", (20,), IMPROVEMENT)]
    assert rules(down) == [("beyond_limits", (20,), CONCERN)]
    assert up.signals[0].words.endswith("a sign of improvement.")
    assert "1 point above the upper limit in Sep 2025" in up.signals[0].words


def test_a_point_on_the_limit_is_not_beyond_it():
    analysis = spc.analyse("count", points(BASE + [11 + 2.66 * 2]), better="up")
    assert "beyond_limits" not in [s.rule for s in analysis.signals]


def test_a_run_of_7_above_the_mean_signals_and_a_run_of_6_does_not():
    seven = spc.analyse("count", points(BASE + [13] * 7), better="up")
    six = spc.analyse("count", points(BASE + [13] * 6 + [10]), better="up")
    assert rules(seven) == [("run_of_7", tuple(range(20, 27)), IMPROVEMENT)]
    assert six.signals == []
    assert "7 points in a row above the average from Sep 2025 to Mar 2026" in seven.signals[0].words


def test_a_run_of_7_below_the_mean_is_concern_when_higher_is_better():
    analysis = spc.analyse("count", points([10, 12] * 10 + [9] * 7), better="up")
    assert rules(analysis) == [("run_of_7", tuple(range(20, 27)), CONCERN)]


def test_a_point_on_the_mean_ends_a_run():
    analysis = spc.analyse("count", points(BASE + [13, 13, 13, 11, 13, 13, 13, 13]), better="up")
    assert analysis.signals == []


def test_a_trend_of_7_signals_and_a_trend_of_6_does_not():
    seven = spc.analyse("count", points(BASE + [9, 9.5, 10, 10.5, 11.5, 12, 12.5]), better="up")
    six = spc.analyse("count", points(BASE + [9, 9.5, 10.5, 11, 11.5, 12]), better="up")
    assert rules(seven) == [("trend_of_7", tuple(range(20, 27)), IMPROVEMENT)]
    assert six.signals == []
    assert "each higher than the one before" in seven.signals[0].words


def test_a_falling_trend_is_concern_when_higher_is_better_and_an_equal_value_ends_it():
    falling = spc.analyse("count", points([10, 12] * 10 + [13, 12.5, 12, 11.5, 10.5, 10, 9.5]), better="up")
    flat = spc.analyse("count", points([10, 12] * 10 + [13, 12.5, 12, 12, 11.5, 10.5, 10]), better="up")
    assert ("trend_of_7", tuple(range(20, 27)), CONCERN) in rules(falling)
    assert "trend_of_7" not in [s.rule for s in flat.signals]


def test_two_of_three_points_near_the_same_limit_signal():
    analysis = spc.analyse("count", points(BASE + [15, 11.5, 15]), better="up")
    assert rules(analysis) == [("two_of_three", (20, 22), IMPROVEMENT)]
    assert "Two of three points close to or beyond the upper limit" in analysis.signals[0].words


def test_one_point_near_a_limit_or_two_near_opposite_limits_do_not():
    assert spc.analyse("count", points(BASE + [15, 11.5, 11.5]), better="up").signals == []
    assert spc.analyse("count", points(BASE + [15, 11, 7]), better="up").signals == []


def test_two_points_beyond_the_limit_are_one_beyond_limits_signal_only():
    analysis = spc.analyse("count", points(BASE + [18, 18, 11]), better="up")
    assert rules(analysis) == [("beyond_limits", (20, 21), IMPROVEMENT)]


def test_concern_beats_improvement_in_the_marks():
    analysis = spc.analyse("count", points(BASE + [17, 16, 15, 14, 13, 12, 11.5]), better="up")
    found = {s.rule: s.direction for s in analysis.signals}
    assert found == {"beyond_limits": IMPROVEMENT, "two_of_three": IMPROVEMENT, "trend_of_7": CONCERN,
                     "run_of_7": IMPROVEMENT}
    assert analysis.marks[20:] == [CONCERN] * 7 and analysis.marks[:20] == [None] * 20
    assert analysis.latest_signal.rule == "trend_of_7"


def test_the_first_phase_takes_its_limits_from_its_first_20_points_and_keeps_them():
    analysis = spc.analyse("count", points(BASE + [13] * 10), better="up")
    assert analysis.centre == [11] * 30 and analysis.upper[-1] == pytest.approx(16.32)
    assert rules(analysis) == [("run_of_7", tuple(range(20, 30)), IMPROVEMENT)]
    assert any("first 20 points" in note for note in analysis.notes)
    assert analysis.phases == []


# --- Phases (rebasing) ---------------------------------------------------------------------------

def test_a_rebase_changes_the_limits_from_its_first_period():
    series = BASE + [21, 19] * 6
    pts = points(series)
    rebase = Phase(first=pts[20].period, reason="New triage")
    analysis = spc.analyse("count", pts, better="up", phases=[rebase])
    assert analysis.centre[19] == 11 and analysis.centre[20] == 20
    assert analysis.upper[19] == pytest.approx(16.32) and analysis.upper[20] == pytest.approx(25.32)
    assert analysis.phases == [rebase]
    assert analysis.signals == []  # without the rebase every later point would be beyond the limit
    assert rules(spc.analyse("count", pts, better="up"))[0][0] == "beyond_limits"


def test_a_run_does_not_cross_a_rebase():
    first = [10, 12] * 8 + [12.5] * 4      # mean 11.3: the last five points are above it
    second = [21, 21, 21, 19, 21, 19, 21, 19, 21, 19, 19, 19]  # mean 20: the first three above it
    pts = points(first + second)
    analysis = spc.analyse("count", pts, better="up", phases=[Phase(first=pts[20].period, reason="x")])
    assert "run_of_7" not in [s.rule for s in analysis.signals]


def test_a_phase_with_a_short_baseline_uses_only_its_baseline():
    pts = points([5] * 3 + [10, 12] * 6 + [20] * 9)
    phase = Phase(first=pts[3].period, last_baseline=pts[14].period, reason="Baseline of twelve")
    analysis = spc.analyse("count", pts, better="up", phases=[phase])
    assert analysis.centre[3] == 11 and analysis.upper[-1] == pytest.approx(16.32)
    assert analysis.upper[0] is None and analysis.centre[0] == 5  # three points before it: no limits
    assert ("beyond_limits", tuple(range(15, 24)), IMPROVEMENT) in rules(analysis)


def test_a_new_phase_with_fewer_than_12_points_has_no_limits_yet():
    pts = points(BASE + [30, 31, 29])
    analysis = spc.analyse("count", pts, better="up", phases=[Phase(first=pts[20].period, reason="New form")])
    assert analysis.chart == XMR
    assert analysis.upper[19] == pytest.approx(16.32) and analysis.upper[20:] == [None] * 3
    assert analysis.centre[20:] == [30] * 3
    assert any("Sep 2025" in note and "12" in note for note in analysis.notes)


def test_phases_without_points_are_left_out():
    pts = points(BASE)
    analysis = spc.analyse("count", pts, better="up", phases=[Phase(first=date(2030, 1, 1), reason="later")])
    assert analysis.phases == [] and analysis.centre == [11] * 20


# --- p-chart -------------------------------------------------------------------------------------

def test_its_p_chart_limits_depend_on_each_denominator():
    numerators = [30, 60, 10, 30, 60, 10] * 2
    denominators = [100, 200, 50] * 4
    analysis = spc.analyse("proportion", points(numerators, denominators=denominators), better="up")
    p_bar = sum(numerators) / sum(denominators)
    assert analysis.chart == P and analysis.centre[0] == pytest.approx(100 * p_bar)
    for i, n in enumerate(denominators):
        sigma = math.sqrt(p_bar * (1 - p_bar) / n)
        assert analysis.upper[i] == pytest.approx(100 * (p_bar + 3 * sigma))
        assert analysis.lower[i] == pytest.approx(100 * (p_bar - 3 * sigma))
    assert analysis.upper[2] > analysis.upper[1]  # fewer cases, wider limits


def test_a_zero_denominator_gives_no_value_and_no_limits_but_stays_on_the_axis():
    numerators = [5, 6, 5, 6, 5, 6, 0, 5, 6, 5, 6, 5, 6]
    denominators = [10] * 6 + [0] + [10] * 6
    analysis = spc.analyse("proportion", points(numerators, denominators=denominators), better="up")
    assert analysis.chart == P and len(analysis.points) == 13
    assert analysis.points[6].value is None and analysis.upper[6] is None and analysis.lower[6] is None
    assert analysis.centre[6] == pytest.approx(55) and analysis.upper[5] is not None
    assert analysis.marks[6] is None


def test_p_chart_limits_stay_between_0_and_100_per_cent():
    numerators = [9, 10] * 6
    analysis = spc.analyse("proportion", points(numerators, denominators=[10] * 12), better="up")
    assert max(analysis.upper) == 100 and min(analysis.lower) > 0


def test_p_chart_signals_use_the_plotted_per_cents():
    numerators = [50, 52] * 10 + [80]
    analysis = spc.analyse("proportion", points(numerators, denominators=[100] * 21), better="down")
    assert rules(analysis) == [("beyond_limits", (20,), CONCERN)]


# --- Words ---------------------------------------------------------------------------------------

def test_signal_words_write_weeks_as_iso_weeks():
    analysis = spc.analyse("count", points(BASE + [17], first=date(2025, 1, 6), period="week"), better="up")
    assert "in 2025-W22" in analysis.signals[0].words


def test_the_latest_signal_is_the_one_that_holds_the_latest_point_with_a_value():
    analysis = spc.analyse("count", points(BASE + [17, 11, None]), better="up")
    assert analysis.latest_signal is None
    analysis = spc.analyse("count", points(BASE + [17, None]), better="up")
    assert analysis.latest_signal.rule == "beyond_limits"


def test_an_unknown_direction_makes_every_signal_neutral():
    analysis = spc.analyse("count", points(BASE + [17]), better="")
    assert rules(analysis) == [("beyond_limits", (20,), NEUTRAL)]
