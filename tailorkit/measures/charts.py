"""Drawing a measure: the run or SPC chart, the sparkline of the overview and the table beside both.

Charts are drawn by SVG templates through ``tailorkit.core.charts`` (no altair: a template draws
520 weekly points in milliseconds) and kept by ``charts.cached``, keyed by everything they show.
The marks whose number grows with the points (points, lines, limits) are written here as
coordinates only; every text a person typed (the measure's name, a rebase reason, a note, an
event's label) goes through the template, which escapes it.

No meaning rests on colour alone: a point in a signal has its own colour *and* shape (a triangle
pointing the way the values moved, a diamond for a pattern without a direction), the legend says
what each mark means in words, and ``table_rows`` gives the same numbers with the signals in words.
"""

import math
from bisect import bisect_right

from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tailorkit.core import charts

from . import periods, spc

FONT = 11
TITLE_FONT = 13
LABEL_ROW = 14  # height of one row of labels above the plot (rebases, strategy starts)
LEGEND_ROW = 18

GREY, IMPROVEMENT_COLOUR, CONCERN_COLOUR, NEUTRAL_COLOUR = "#555555", "#1f5fa8", "#c0480a", "#6a3d9a"
EVENT_COLOUR, TARGET_COLOUR, LIMIT_COLOUR = "#1b7837", "#8c6d00", "#7a7a7a"
SIGNAL_COLOURS = {spc.IMPROVEMENT: IMPROVEMENT_COLOUR, spc.CONCERN: CONCERN_COLOUR, spc.NEUTRAL: NEUTRAL_COLOUR}

# Labels on the x axis every so many periods: whole weeks, months, quarters and years.
LABEL_STRIDES = {periods.DAY: (1, 2, 7, 14, 28, 91, 182, 364), periods.WEEK: (1, 2, 4, 13, 26, 52, 104, 260),
                 periods.MONTH: (1, 2, 3, 6, 12, 24, 60)}


def chart_name(chart):
    return {spc.RUN: _("Run chart"), spc.XMR: _("XmR chart (individual values)"), spc.P: _("p-chart")}.get(chart, chart)


def rule_name(rule):
    """A signal's rule in a few words, for the table and the legend."""
    return {"shift": _("long run on one side of the centre line"), "crossings": _("too few crossings of the median"),
            "beyond_limits": _("beyond a process limit"), "run_of_7": _("run of 7 on one side of the mean"),
            "trend_of_7": _("trend of 7 rising or falling"),
            "two_of_three": _("two of three close to a limit")}.get(rule, rule)


def direction_name(direction):
    return {spc.IMPROVEMENT: _("Improvement"), spc.CONCERN: _("Concern"),
            spc.NEUTRAL: _("Unusual pattern")}.get(direction, "")


def shape_of(direction, better):
    """The shape of a point in a signal: a triangle pointing the way the values moved, a diamond
    when the pattern has no direction (as the overview's ▲ ▼ ◆)."""
    if direction == spc.NEUTRAL:
        return "diamond"
    moved_up = (direction == spc.IMPROVEMENT) == (better == "up")
    return "up" if moved_up else "down"


def value_text(measure, value, decimals=None):
    """A plotted value as people read it: "62.5 %", "3.1 per 1,000", "18", "18.2 days"."""
    if value is None:
        return ""
    if measure.kind == "proportion":
        return _("%(value)s %%") % {"value": number_format(value, 1 if decimals is None else decimals)}
    if measure.kind == "rate":
        return _("%(value)s per %(per)s") % {"value": number_format(value, 1 if decimals is None else decimals),
                                              "per": number_format(measure.rate_per, 0, force_grouping=True)}
    if decimals is None:
        decimals = 0 if measure.kind == "count" and float(value).is_integer() else 1
    return f"{number_format(value, decimals, force_grouping=True)} {measure.unit}".strip()


def axis_title(measure):
    if measure.kind == "proportion":
        return _("Per cent")
    if measure.kind == "rate":
        return _("Per %(per)s") % {"per": number_format(measure.rate_per, 0, force_grouping=True)}
    return measure.unit or {"count": _("Count"), "mean": _("Mean")}.get(measure.kind, "")


def _at(values, i):
    return values[i] if i < len(values) else None


# --- scales ----------------------------------------------------------------------------------------

def nice_ticks(lo, hi, count=6):
    """Round ticks covering [lo, hi] (d3's "nice" steps of 1, 2 or 5 times a power of ten):
    (first, last, [(value, label)])."""
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / count
    power = math.floor(math.log10(raw))
    error = raw / 10**power
    step = (10 if error >= 50**0.5 else 5 if error >= 10**0.5 else 2 if error >= 2**0.5 else 1) * 10**power
    first, last = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    decimals = max(0, -math.floor(math.log10(step)))
    ticks = [round(first + i * step, decimals) for i in range(int(round((last - first) / step)) + 1)]
    return first, last, [(t, number_format(t, decimals, force_grouping=True)) for t in ticks]


def _domain(measure, analysis, target):
    seen = [v for v in (p.value for p in analysis.points) if v is not None]
    for series in (analysis.centre, analysis.upper, analysis.lower):
        seen.extend(v for v in series if v is not None)
    if target is not None:
        seen.append(target)
    lo, hi = min(seen), max(seen)
    pad = (hi - lo) * 0.05 or abs(hi) * 0.1 or 1
    lo, hi = lo - pad, hi + pad
    if min(seen) >= 0:
        lo = max(lo, 0)
    if measure.kind == "proportion" and max(seen) <= 100:
        hi = min(hi, 100)
    return lo, hi


# --- marks ---------------------------------------------------------------------------------------

c = charts.coord


def shape(kind, x, y, size):
    """One mark as SVG (coordinates only, no text)."""
    if kind == "circle":
        return f'<circle cx="{c(x)}" cy="{c(y)}" r="{c(size)}"/>'
    if kind == "diamond":
        return f'<path d="M{c(x)},{c(y - size * 1.3)}L{c(x + size * 1.3)},{c(y)}L{c(x)},{c(y + size * 1.3)}' \
               f'L{c(x - size * 1.3)},{c(y)}Z"/>'
    tip = -1 if kind == "up" else 1
    return f'<path d="M{c(x)},{c(y + tip * size * 1.3)}L{c(x + size * 1.2)},{c(y - tip * size * 0.9)}' \
           f'L{c(x - size * 1.2)},{c(y - tip * size * 0.9)}Z"/>'


def _stepped(values, x_of, y_of, breaks):
    """A path holding each value over its period's band, stepping where it changes; a gap where a
    value is missing and at each of ``breaks`` (the first point of a phase)."""
    parts, previous = [], None
    for i, v in enumerate(values):
        if v is None:
            previous = None
            continue
        y = c(y_of(v))
        if previous is None or i in breaks:
            parts.append(f"M{c(x_of(i))},{y}")
        elif y != previous:
            parts.append(f"V{y}")
        parts.append(f"H{c(x_of(i + 1))}")
        previous = y
    return "".join(parts)


def _line(points, x_of, y_of):
    parts, pen = [], False
    for i, p in enumerate(points):
        if p.value is None:
            pen = False
            continue
        parts.append(f"{'L' if pen else 'M'}{c(x_of(i))},{c(y_of(p.value))}")
        pen = True
    return "".join(parts)


def _index_of(starts, day):
    """The index of the last point whose period starts on or before ``day``; None before the first."""
    i = bisect_right(starts, day) - 1
    if i < 0:
        return None
    return i


def _labelled(period, starts, needed):
    """The points that get a label on the x axis, every ``stride`` periods (at least ``needed``):
    at the turn of a quarter or a year when the stride is a quarter or longer."""
    stride = next((s for s in LABEL_STRIDES[period] if s >= needed), math.ceil(needed))

    def turn(day):
        if period == periods.WEEK and stride >= 13:
            year, week, _day = day.isocalendar()
            return week < 53 and (week - 1) % min(stride, 52) == 0 and (stride <= 52 or year % (stride // 52) == 0)
        if period == periods.MONTH and stride >= 3:
            return (day.month - 1) % min(stride, 12) == 0 and (stride <= 12 or day.year % (stride // 12) == 0)
        return None

    chosen = [(i, s) for i, s in enumerate(starts) if turn(s)]
    return chosen if chosen else [(i, s) for i, s in enumerate(starts) if i % stride == 0]


def _place(labels, right_edge, rows=2):
    """Labels ``[(x, text)]`` placed left to right in up to ``rows`` rows without overlapping:
    ``[(x, row, text)]``; a label with no room is cut to fit before the next one in its row."""
    ends, placed = [-1e9] * rows, []
    for x, text in sorted(labels, key=lambda item: item[0]):
        row = next((r for r in range(rows) if ends[r] + 6 <= x), min(range(rows), key=lambda r: ends[r]))
        text = charts.fit(text, FONT, max(30, right_edge - x - 3))
        placed.append((c(x + 3), row, text))
        ends[row] = x + 3 + charts.text_width(text, FONT)
    return placed


def _legend(items, width, left):
    """Legend items ``[(swatch, words)]`` in rows that fit the width: ``[(x, y, swatch, words)]``."""
    out, x, row = [], left, 0
    for swatch, words in items:
        need = 26 + charts.text_width(words, FONT) + 14
        if x + need > width and x > left:
            x, row = left, row + 1
        out.append((c(x), row * LEGEND_ROW, swatch, words))
        x += need
    return out, row + 1


# The legend's samples (no text in them: the words go through the template).
SWATCHES = {
    "point": mark_safe(f'<path d="M0,0H20" stroke="{GREY}"/><circle cx="10" cy="0" r="2.6" fill="{GREY}"/>'),
    "centre": mark_safe('<path d="M0,0H20" stroke="#333" stroke-dasharray="5,3"/>'),
    "limits": mark_safe(f'<path d="M0,0H20" stroke="{LIMIT_COLOUR}" stroke-width="1.2"/>'),
    "baseline": mark_safe('<rect x="0" y="-6" width="20" height="12" fill="#e8eef6"/>'),
    "target": mark_safe(f'<path d="M0,0H20" stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="2,2"/>'),
    "start": mark_safe(f'<path d="M10,-7V7" stroke="{EVENT_COLOUR}" stroke-width="2" stroke-dasharray="4,2"/>'),
    "event": mark_safe(f'<path d="M10,-1V7" stroke="{EVENT_COLOUR}" stroke-width="2"/>'),
    "note": mark_safe('<circle cx="10" cy="0" r="7" fill="white" stroke="#333"/>'
                      '<text x="10" y="3" text-anchor="middle" font-size="9" fill="#333">1</text>'),
}


# --- the run or SPC chart ------------------------------------------------------------------------

def _chart_data(measure, analysis, events, annotations, target, width, height):
    return {
        "measure": [measure.name, measure.kind, measure.period, measure.better, measure.unit, measure.rate_per],
        "chart": analysis.chart, "size": [width, height], "target": target,
        "points": [[p.period.isoformat(), p.value] for p in analysis.points],
        "centre": analysis.centre, "upper": analysis.upper, "lower": analysis.lower, "marks": analysis.marks,
        "phases": [[ph.first.isoformat(), ph.last_baseline and ph.last_baseline.isoformat(), ph.reason]
                   for ph in analysis.phases],
        "events": [[e.day.isoformat(), e.kind, e.label] for e in events],
        "notes": [[a.period_start.isoformat(), a.text] for a in annotations],
    }


def spc_chart(measure, analysis, *, events=(), annotations=(), target=None, width=760, height=320):
    """The chart as a ``data:`` URL for ``core/_chart.html``, drawn once per distinct data; "" when
    the measure has no value to draw."""
    if not any(p.value is not None for p in analysis.points):
        return ""
    events, annotations = list(events), list(annotations)
    data = _chart_data(measure, analysis, events, annotations, target, width, height)
    return charts.cached("measure-spc", data, lambda: spc_svg(
        measure, analysis, events=events, annotations=annotations, target=target, width=width, height=height))


def spc_svg(measure, analysis, *, events=(), annotations=(), target=None, width=760, height=320):
    """The SVG text of the measure's run or SPC chart (see the module's docstring)."""
    points, better = analysis.points, measure.better
    n = max(1, len(points))
    starts = [p.period for p in points]
    lo, hi = _domain(measure, analysis, target) if any(p.value is not None for p in points) else (0, 1)
    first, last, y_ticks = nice_ticks(lo, hi)
    left = math.ceil(max(charts.text_width(t, FONT) for _v, t in y_ticks)) + 30
    right = width - 14

    # Labels above the plot: rebases and strategy starts.
    step = (right - left) / n

    def x_of(i):
        return left + step * i

    def x_at(day):
        i = _index_of(starts, day)
        if i is None:
            return None
        following = starts[i + 1] if i + 1 < len(starts) else periods.following(measure.period, starts[i])
        if day >= following:
            return None
        return x_of(i + (day - starts[i]).days / max(1, (following - starts[i]).days))

    breaks, phase_marks, baselines, top_labels = set(), [], [], []
    for ph in analysis.phases:
        i = next((j for j, s in enumerate(starts) if s >= ph.first), None)
        if i is None:
            continue
        end = next((j for j, s in enumerate(starts) if ph.last_baseline and s > ph.last_baseline), None)
        if ph.last_baseline and end is not None and end > i:
            baselines.append((c(x_of(i)), c(x_of(end) - x_of(i))))
        if i > 0:
            breaks.add(i)
            phase_marks.append(c(x_of(i)))
            top_labels.append((x_of(i), _("Rebased: %(reason)s") % {"reason": ph.reason} if ph.reason
                               else _("Rebased")))
    starts_x, ticks_x, event_titles = [], [], []
    for e in events:
        x = x_at(e.day)
        if x is None:
            continue
        if e.kind == "start":
            starts_x.append(c(x))
            top_labels.append((x, _("Strategy started")))
        else:
            ticks_x.append(c(x))
        event_titles.append((c(x), e.label, e.kind == "start"))
    placed = _place(top_labels, right)
    rows = 1 + max((row for _x, row, _t in placed), default=-1)
    top = 30 + rows * LABEL_ROW
    bottom = height - 38
    plot_h = bottom - top

    def y_of(v):
        return bottom - (v - first) / (last - first) * plot_h

    # Points: the ordinary ones grey circles, those in a signal coloured and shaped by direction.
    size = 2.6 if n <= 120 else 1.8 if n <= 300 else 1.4
    plain, signal = [], {d: [] for d in SIGNAL_COLOURS}
    for i, p in enumerate(points):
        if p.value is None:
            continue
        mark = _at(analysis.marks, i)
        x, y = x_of(i + 0.5), y_of(p.value)
        if mark in signal:
            signal[mark].append(shape(shape_of(mark, better), x, y, max(size + 1.2, 3)))
        else:
            plain.append(shape("circle", x, y, size))

    # Notes: numbered markers at the top of the plot, staggered when they would touch.
    notes, previous = [], None
    for number, a in enumerate(annotations, start=1):
        x = x_at(a.period_start)
        if x is None:
            continue
        i = _index_of(starts, a.period_start)
        x = x_of(i + 0.5)
        level = (previous[1] + 1) % 3 if previous and x - previous[0] < 16 else 0
        y = top + 9 + level * 16
        notes.append((c(x), c(y), c(y + 3), number, a.text))
        previous = (x, level)

    has_limits = any(v is not None for v in analysis.upper) or any(v is not None for v in analysis.lower)
    legend_items = [(SWATCHES["point"], _("Value of a period")),
                    (SWATCHES["centre"], _("Centre line (mean or median)"))]
    if has_limits:
        legend_items.append((SWATCHES["limits"], _("Process limits")))
    for d in (spc.IMPROVEMENT, spc.CONCERN, spc.NEUTRAL):
        if signal[d]:
            legend_items.append((mark_safe(f'<g fill="{SIGNAL_COLOURS[d]}">{shape(shape_of(d, better), 10, 0, 4)}</g>'),
                                 direction_name(d)))
    if baselines:
        legend_items.append((SWATCHES["baseline"], _("Periods the limits are calculated from")))
    if target is not None:
        legend_items.append((SWATCHES["target"], _("Target")))
    if starts_x:
        legend_items.append((SWATCHES["start"], _("Strategy started")))
    if ticks_x:
        legend_items.append((SWATCHES["event"], _("Other project event")))
    if notes:
        legend_items.append((SWATCHES["note"], _("Team note (numbered as in the table)")))
    legend, legend_rows = _legend(legend_items, width - 10, 10)

    x_ticks = [(c(x_of(i + 0.5)), periods.label(measure.period, s))
               for i, s in _labelled(measure.period, starts, (charts.text_width("2025-W52", FONT) + 12) / step)]
    context = {
        "title": _("%(name)s: %(chart)s") % {"name": measure.name, "chart": chart_name(analysis.chart)},
        "width": width, "svg_height": height + legend_rows * LEGEND_ROW + 4, "font": FONT, "title_font": TITLE_FONT,
        "left": left, "right": right, "top": top, "bottom": bottom, "plot_w": c(right - left), "plot_h": c(plot_h),
        "tick_end": bottom + 5, "x_label_y": bottom + 17, "x_title_y": bottom + 32, "middle_x": c((left + right) / 2),
        "middle_y": c((top + bottom) / 2), "legend_y": height + 6,
        "x_title": periods.label_of_kind(measure.period).capitalize(), "y_title": axis_title(measure),
        "y_ticks": [(c(y_of(v)), c(y_of(v) + 4), label) for v, label in y_ticks], "x_ticks": x_ticks,
        "centre": _stepped(analysis.centre, x_of, y_of, breaks),
        "limits": _stepped(analysis.upper, x_of, y_of, breaks) + _stepped(analysis.lower, x_of, y_of, breaks),
        "line": _line(points, lambda i: x_of(i + 0.5), y_of), "plain": mark_safe("".join(plain)),
        "signals": [(SIGNAL_COLOURS[d], direction_name(d), mark_safe("".join(marks)))
                    for d, marks in signal.items() if marks],
        "target": (c(y_of(target)), c(y_of(target) - 4), value_text(measure, target)) if target is not None else None,
        "phase_marks": phase_marks, "baselines": baselines, "top_labels": [(x, 26 + row * LABEL_ROW, t)
                                                                           for x, row, t in placed],
        "starts": starts_x, "ticks": ticks_x, "tick_top": bottom - 8, "event_titles": event_titles,
        "notes": notes, "legend": legend,
        "colours": {"grey": GREY, "event": EVENT_COLOUR, "target": TARGET_COLOUR, "limit": LIMIT_COLOUR},
    }
    return charts.draw_template("measures/charts/spc.svg", context)


def chart_alt(measure, analysis):
    """One sentence naming the chart for its ``alt`` text."""
    valued = [p for p in analysis.points if p.value is not None]
    if not valued:
        return ""
    return _("%(chart)s of %(name)s: %(n)s periods from %(first)s to %(last)s, %(signals)s.") % {
        "chart": chart_name(analysis.chart), "name": measure.name, "n": len(analysis.points),
        "first": periods.label(measure.period, analysis.points[0].period),
        "last": periods.label(measure.period, analysis.points[-1].period),
        "signals": _("no signal") if not analysis.signals else
        (_("one signal") if len(analysis.signals) == 1 else _("%(n)s signals") % {"n": len(analysis.signals)})}


# --- the sparkline of the overview ---------------------------------------------------------------

def sparkline(measure, analysis, *, width=160, height=40):
    """A small line of the values with the last point marked (its signal's colour and shape, when it
    is in one), as a ``data:`` URL; kept in the process (the overview shows dozens)."""
    valued = [(i, p.value) for i, p in enumerate(analysis.points) if p.value is not None]
    if not valued:
        return ""
    last_i = valued[-1][0]
    mark = _at(analysis.marks, last_i)
    data = {"values": [p.value for p in analysis.points], "mark": mark, "better": measure.better,
            "size": [width, height]}
    return charts.cached("measure-sparkline", data,
                         lambda: _sparkline_svg(analysis, mark, measure.better, width, height), shared=False)


def _sparkline_svg(analysis, mark, better, width, height):
    values = [p.value for p in analysis.points]
    seen = [v for v in values if v is not None]
    lo, hi = min(seen), max(seen)
    span = (hi - lo) or 1
    n = len(values)

    def x_of(i):
        return 5 + (width - 10) * (i / (n - 1) if n > 1 else 0.5)

    def y_of(v):
        return height - 6 - (v - lo) / span * (height - 12)

    last = max(i for i, v in enumerate(values) if v is not None)
    kind = shape_of(mark, better) if mark in SIGNAL_COLOURS else "circle"
    return charts.draw_template("measures/charts/sparkline.svg", {
        "width": width, "height": height, "line": _line(analysis.points, x_of, y_of),
        "last": mark_safe(shape(kind, x_of(last), y_of(values[last]), 3.2 if kind != "circle" else 2.6)),
        "colour": SIGNAL_COLOURS.get(mark, GREY), "title": direction_name(mark) if mark else ""})


# --- the table beside every chart ----------------------------------------------------------------

def table_rows(measure, analysis, annotations=(), events=()):
    """One row per period, as the chart shows it: ``period`` (label), ``value`` (text), numerator and
    denominator (for proportions, rates and means), centre and limits, ``signal`` (in words, with
    ``direction`` and ``shape`` for the mark beside them), ``notes`` (the team's, numbered as on
    the chart, then the project's events); ``raw`` keeps the numbers for downloads."""
    starts = [p.period for p in analysis.points]
    found = {}
    for s in analysis.signals:
        for i in s.indices:
            found.setdefault(i, []).append(s)
    notes = {}
    for number, a in enumerate(annotations, start=1):
        i = _index_of(starts, a.period_start)
        if i is not None:
            notes.setdefault(i, []).append(_("Note %(n)s: %(text)s") % {"n": number, "text": a.text})
    for e in events:
        i = _index_of(starts, e.day)
        if i is not None and (i + 1 < len(starts) or e.day < periods.following(measure.period, starts[i])):
            notes.setdefault(i, []).append(e.label)
    with_denominator = measure.kind in ("proportion", "rate", "mean")
    rows = []
    for i, p in enumerate(analysis.points):
        centre, upper, lower = _at(analysis.centre, i), _at(analysis.upper, i), _at(analysis.lower, i)
        signals = found.get(i, [])
        direction = _at(analysis.marks, i) or (signals[0].direction if signals else None)
        words = "; ".join(dict.fromkeys(f"{direction_name(s.direction)}: {rule_name(s.rule)}" for s in signals))
        rows.append({
            "period": periods.label(measure.period, p.period), "value": value_text(measure, p.value) or _("no value"),
            "numerator": _number(p.numerator) if with_denominator else "",
            "denominator": _number(p.denominator) if with_denominator else "",
            "centre": value_text(measure, centre, 1), "upper": value_text(measure, upper, 1),
            "lower": value_text(measure, lower, 1), "signal": words, "direction": direction,
            "shape": shape_of(direction, measure.better) if direction else "",
            "notes": notes.get(i, []),
            "raw": {"period": p.period, "value": p.value, "numerator": p.numerator, "denominator": p.denominator,
                    "centre": centre, "upper": upper, "lower": lower},
        })
    return rows


def _number(value):
    if value is None:
        return ""
    return number_format(value, 0 if float(value).is_integer() else 2, force_grouping=True)
