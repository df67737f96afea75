"""Invariants of the chart rules, checked on generated series (hypothesis)."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tailorkit.measures import periods, spc
from tailorkit.measures.spc import CONCERN, IMPROVEMENT, Phase, Point

KINDS = ("count", "mean", "rate", "proportion")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

values = st.one_of(st.none(), st.floats(min_value=0, max_value=1000, allow_nan=False).map(lambda v: round(v, 2)))


@st.composite
def series(draw, min_size=0, max_size=60):
    """(kind, points, phases): values (some missing), denominators for proportions, a few rebases."""
    kind = draw(st.sampled_from(KINDS))
    size = draw(st.integers(min_size, max_size))
    pts, start = [], date(2023, 1, 2)
    for _ in range(size):
        if kind == "proportion":
            denominator = draw(st.integers(0, 200))
            numerator = draw(st.integers(0, denominator))
            pts.append(Point(start, periods.plotted_value(kind, numerator, denominator), numerator, denominator))
        else:
            pts.append(Point(start, draw(values)))
        start = periods.following("week", start)
    starts = draw(st.lists(st.integers(0, max(size - 1, 0)), max_size=3, unique=True)) if size else []
    phases = []
    for first in starts:
        last = draw(st.one_of(st.none(), st.integers(first, size - 1)))
        phases.append(Phase(first=pts[first].period, last_baseline=None if last is None else pts[last].period,
                            reason="r"))
    return kind, pts, phases


def limits(analysis, i):
    upper = analysis.upper[i] if analysis.upper else None
    lower = analysis.lower[i] if analysis.lower else None
    return analysis.centre[i], upper, lower


@SETTINGS
@given(kind=st.sampled_from(KINDS), value=st.floats(min_value=0, max_value=1e6, allow_nan=False),
       size=st.integers(0, 80), better=st.sampled_from(["up", "down"]))
def test_a_constant_series_never_signals(kind, value, size, better):
    pts, start = [], date(2024, 1, 1)
    for _ in range(size):
        pts.append(Point(start, value if kind != "proportion" else 50.0, 5 if kind == "proportion" else None,
                         10 if kind == "proportion" else None))
        start = periods.following("month", start)
    analysis = spc.analyse(kind, pts, better=better)
    assert analysis.signals == [] and analysis.marks == [None] * size


@SETTINGS
@given(series())
def test_reversing_which_direction_is_better_swaps_improvement_and_concern(data):
    kind, pts, phases = data
    up = spc.analyse(kind, pts, better="up", phases=phases)
    down = spc.analyse(kind, pts, better="down", phases=phases)
    swap = {IMPROVEMENT: CONCERN, CONCERN: IMPROVEMENT}
    assert [(s.rule, s.indices, swap.get(s.direction, s.direction)) for s in up.signals] == [
        (s.rule, s.indices, s.direction) for s in down.signals]
    assert (up.centre, up.upper, up.lower) == (down.centre, down.upper, down.lower)


@SETTINGS
@given(series(min_size=12))
def test_limits_are_symmetric_about_the_centre_unless_clipped(data):
    kind, pts, phases = data
    analysis = spc.analyse(kind, pts, better="up", phases=phases)
    for i in range(len(pts)):
        centre, upper, lower = limits(analysis, i)
        if upper is None:
            continue
        assert lower <= centre <= upper
        clipped = lower == 0 or (kind == "proportion" and upper == 100)
        if not clipped:
            assert abs((upper - centre) - (centre - lower)) <= 1e-6 * max(1.0, abs(centre))


@SETTINGS
@given(series(), values)
def test_adding_a_point_never_changes_the_limits_of_earlier_phases(data, value):
    kind, pts, phases = data
    if kind == "proportion":
        extra = Point(periods.following("week", pts[-1].period) if pts else date(2023, 1, 2), 50.0, 1, 2)
    else:
        extra = Point(periods.following("week", pts[-1].period) if pts else date(2023, 1, 2), value)
    before = spc.analyse(kind, pts, better="up", phases=phases)
    after = spc.analyse(kind, pts + [extra], better="up", phases=phases)
    spans = spc.phase_spans(pts + [extra], phases)
    fixed_until = spans[-1].lo
    if spans[-1].phase is None and spans[-1].base_hi <= len(pts):
        fixed_until = len(pts)  # the first phase already had its 20 baseline points: its limits are fixed
    for i in range(fixed_until):
        assert limits(before, i) == limits(after, i)


@SETTINGS
@given(series())
def test_signals_stay_inside_one_phase_and_hold_only_points_with_values(data):
    kind, pts, phases = data
    analysis = spc.analyse(kind, pts, better="up", phases=phases)
    spans = spc.phase_spans(pts, phases)
    for signal in analysis.signals:
        assert signal.indices and list(signal.indices) == sorted(set(signal.indices))
        assert all(pts[i].value is not None for i in signal.indices)
        assert any(span.lo <= signal.indices[0] and signal.indices[-1] < span.hi for span in spans)
        assert signal.words.endswith(".")
    in_signals = {i for signal in analysis.signals for i in signal.indices}
    assert {i for i, mark in enumerate(analysis.marks) if mark} == in_signals


@SETTINGS
@given(series())
def test_every_list_has_one_entry_per_point(data):
    kind, pts, phases = data
    analysis = spc.analyse(kind, pts, better="down", phases=phases)
    assert len(analysis.centre) == len(analysis.marks) == len(pts)
    if analysis.chart == spc.RUN:
        assert analysis.upper == analysis.lower == []
    else:
        assert len(analysis.upper) == len(analysis.lower) == len(pts)
