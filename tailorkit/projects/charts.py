"""Charts for the tailoring cycle, built with altair and drawn by ``tailorkit.core.charts`` (one
renderer for every chart). Every chart has a table with the same numbers next to it in the
template."""

import altair as alt
from django.utils.translation import gettext as _

from tailorkit.core import charts


def prioritisation_matrix(rows, *, width=440, height=380):
    """Barriers by team mean changeability (x) and importance (y), 1–5, with quadrant lines at 3.

    Each point is labelled with the barrier's rank only (the ranked table beside the chart names
    the barrier), so labels stay short; barriers at the same place share one label ("2, 5"), and
    every label is placed where it covers no other label, point or corner note (see
    ``place_labels``). All text is at least ``FONT`` px at the chart's own size.

    ``rows`` are ``selectors.goals.RankedBarrier``; unrated barriers are left out (they have no
    point). Returns a ``data:`` URL for ``core/_chart.html``, or "" when nothing is rated yet.
    """
    points = [{"name": row.barrier.name, "rank": row.rank,
               "importance": round(row.mean_importance, 2), "changeability": round(row.mean_changeability, 2),
               "n": row.n}
              for row in rows if row.mean_importance is not None]
    if not points:
        return ""
    x_title, y_title = _("Changeability (team mean, 1–5)"), _("Importance (team mean, 1–5)")
    scale = alt.Scale(domain=[1, 5], nice=False, zero=False)
    x, y = alt.X("x:Q", scale=scale), alt.Y("y:Q", scale=scale)
    dots = alt.Chart(alt.Data(values=points)).mark_circle(size=DOT_AREA, opacity=0.85).encode(
        x=alt.X("changeability:Q", scale=scale, title=x_title),
        y=alt.Y("importance:Q", scale=scale, title=y_title),
    )
    notes = [{"x": 4.95, "y": 4.95, "t": _("Start here"), "align": "right"},
             {"x": 4.95, "y": 1.45, "t": _("Easy, less important"), "align": "right"},
             {"x": 1.05, "y": 4.95, "t": _("Important, hard to change"), "align": "left"}]
    labels = place_labels(points, notes, width=width, height=height)
    text = alt.Chart(alt.Data(values=labels)).mark_text(
        fontSize=FONT, fontWeight="bold", align="center", baseline="middle").encode(x=x, y=y, text="t:N")
    leaders = alt.Chart(alt.Data(values=[lb for lb in labels if "px" in lb])).mark_rule(
        color="#777", strokeWidth=1).encode(x=alt.X("px:Q", scale=scale), y=alt.Y("py:Q", scale=scale),
                                            x2="ex:Q", y2="ey:Q")
    rules = alt.Data(values=[{"v": 3}])
    vline = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#888").encode(x=alt.X("v:Q", scale=scale))
    hline = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#888").encode(y=alt.Y("v:Q", scale=scale))

    # Quadrant names: the top right (important and changeable) is where to start.
    def corner_notes(align):
        return alt.Chart(alt.Data(values=[n for n in notes if n["align"] == align])).mark_text(
            fontSize=FONT, color="#555", baseline="top", align=align).encode(x=x, y=y, text="t:N")

    chart = alt.layer(vline, hline, corner_notes("right"), corner_notes("left"), leaders, dots, text).properties(
        width=width, height=height, title=_("Prioritisation matrix")
    ).configure_view(stroke=None).configure_axis(labelFontSize=FONT, titleFontSize=FONT).configure_title(
        fontSize=FONT + 3)
    return charts.render(chart)


# The matrix's text size in px at the chart's own width (the page shows it at that width or wider
# on a desktop) and its points' area in px².
FONT = 13
DOT_AREA = 90


def _overlap(a, b):
    """The area two boxes (left, top, right, bottom) have in common."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0


def text_box(text, x, y, *, font=FONT, align="center", baseline="middle"):
    """A generous estimate of the box a text takes, in px: (left, top, right, bottom)."""
    w, h = len(text) * font * 0.62 + 2, font * 1.25
    left = {"left": x, "center": x - w / 2, "right": x - w}[align]
    top = {"top": y, "middle": y - h / 2, "bottom": y - h}[baseline]
    return (left, top, left + w, top + h)


def place_labels(points, notes=(), *, width, height, font=FONT):
    """Labels for the matrix's points: one per place (ranks of barriers at the same place joined,
    "2, 5"), each put at the first of a ring of spots around its point where it covers no point,
    no corner note and no label placed before it (or, when every spot is taken, where it covers
    least). Best-ranked first, so they get the nearest spots. Returns [{"x", "y", "t"}] in data
    units (1–5), for text centred on (x, y)."""
    def px(xv, yv):
        return (xv - 1) / 4 * width, (5 - yv) / 4 * height

    groups = {}
    for p in sorted(points, key=lambda p: (p["rank"] is None, p["rank"] or 0)):
        groups.setdefault((p["changeability"], p["importance"]), []).append(p)
    radius = (DOT_AREA / 3.14159) ** 0.5
    taken = [(cx - radius, cy - radius, cx + radius, cy + radius)
             for cx, cy in (px(*key) for key in groups)]
    taken += [text_box(n["t"], *px(n["x"], n["y"]), font=font, align=n["align"], baseline="top") for n in notes]
    labels = []
    for (xv, yv), members in groups.items():
        text = ", ".join(str(p["rank"]) for p in members if p["rank"] is not None) or "–"
        cx, cy = px(xv, yv)
        w, h = len(text) * font * 0.62 + 2, font * 1.25
        best = None
        for ring in (1, 2, 3, 4):
            gap = radius + 2 + (ring - 1) * h
            for dx, dy in ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1)):
                lx = cx + dx * (gap + w / 2)
                ly = cy + dy * (gap + h / 2)
                box = (lx - w / 2, ly - h / 2, lx + w / 2, ly + h / 2)
                outside = max(0, -box[0]) + max(0, box[2] - width) + max(0, -box[1]) + max(0, box[3] - height)
                cost = sum(_overlap(box, t) for t in taken) + outside * 1000
                if best is None or cost < best[0]:
                    best = (cost, lx, ly, box)
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _cost, lx, ly, box = best
        taken.append(box)
        label = {"x": 1 + lx / width * 4, "y": 5 - ly / height * 4, "t": text}
        # A label away from its point gets a thin line from the point to the label's nearest edge.
        ex, ey = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
        if ((ex - cx) ** 2 + (ey - cy) ** 2) ** 0.5 > radius + 4:
            label.update(px=xv, py=yv, ex=1 + ex / width * 4, ey=5 - ey / height * 4)
        labels.append(label)
    return labels


def effort_by_step(by_step):
    """Bar chart of hours by step, or "" when no effort is logged (``by_step`` as from
    ``services.effort.effort_totals``)."""
    if not by_step:
        return ""
    chart = alt.Chart(alt.Data(values=[{"step": r["label"], "hours": round(r["minutes"] / 60, 1)}
                                       for r in by_step])).mark_bar().encode(
        x=alt.X("hours:Q", title=_("Hours")), y=alt.Y("step:N", title=None, sort=None),
    ).properties(width=420, height=30 * len(by_step))
    return charts.render(chart)


def stakeholder_means(entry, criteria):
    """A dot chart of the stakeholders' means (1–5) that the anonymity rule lets through, or ""."""
    if entry["barriers"]:
        labels = {"importance": _("How much it gets in the way"), "changeability": _("How easy it is to change")}
        points = [{"y": row.name[:60], "series": str(labels[aspect]), "mean": round(figure.mean, 2)}
                  for row in entry["barriers"] for aspect, figure in zip(row.aspects, row.cells, strict=True)
                  if figure.mean is not None]
        y_title, series_title = _("Barrier"), _("Question")
    elif entry["options"]:
        points = [{"y": str(criteria.get(aspect, aspect)), "series": row.name[:60], "mean": round(figure.mean, 2)}
                  for row in entry["options"] for aspect, figure in zip(row.aspects, row.cells, strict=True)
                  if figure.mean is not None]
        y_title, series_title = _("APEASE criterion"), _("Strategy")
    else:
        return ""
    if not points:
        return ""
    return _dot_chart(points, y_title=y_title, series_title=series_title,
                      x_title=_("Stakeholders' mean (1 = lowest, 5 = highest)"))


def _dot_chart(points, *, y_title, series_title, x_title):
    scale = alt.Scale(domain=[1, 5], nice=False, zero=False)
    # Colour and shape both tell the series apart, so the chart also reads in black and white.
    legend = alt.Legend(orient="bottom", direction="vertical", labelLimit=360, titleLimit=360)
    chart = alt.Chart(alt.Data(values=points)).mark_point(filled=True, size=90, opacity=0.9).encode(
        x=alt.X("mean:Q", scale=scale, title=str(x_title), axis=alt.Axis(tickCount=5, format="d")),
        y=alt.Y("y:N", title=str(y_title), sort=None, axis=alt.Axis(labelLimit=220)),
        color=alt.Color("series:N", title=str(series_title), legend=legend),
        shape=alt.Shape("series:N", title=str(series_title), legend=legend),
    ).properties(width=300, height=alt.Step(24))
    return charts.render(chart)
