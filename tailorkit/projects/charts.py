"""Charts for the tailoring cycle, each drawn once per distinct data by ``tailorkit.core.charts``:
the prioritisation matrix and the effort bars by SVG templates, kept in the shared cache; the
stakeholders' dot charts (one per consultation) with altair, kept in the process. Every chart
has a table with the same numbers next to it in the template."""

import math

import altair as alt
from django.utils.html import escape
from django.utils.safestring import mark_safe
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
    Drawn by a template (no altair: see ``core.charts``) once per distinct set of points.
    """
    points = [{"rank": row.rank, "importance": round(row.mean_importance, 2),
               "changeability": round(row.mean_changeability, 2)}
              for row in rows if row.mean_importance is not None]
    if not points:
        return ""
    data = {"points": [[p["rank"], p["changeability"], p["importance"]] for p in points],
            "width": width, "height": height}
    return charts.cached("prioritisation-matrix", data, lambda: _matrix_svg(points, width, height))


def _matrix_svg(points, width, height):
    def px(xv, yv):
        return (xv - 1) / 4 * width, (5 - yv) / 4 * height

    c = charts.coord
    radius = c(DOT_AREA**0.5 / 2)  # Vega's circle of area DOT_AREA: a radius of √area / 2
    notes = [{"x": 4.95, "y": 4.95, "t": _("Start here"), "align": "right"},
             {"x": 4.95, "y": 1.45, "t": _("Easy, less important"), "align": "right"},
             {"x": 1.05, "y": 4.95, "t": _("Important, hard to change"), "align": "left"}]
    labels = place_labels(points, notes, width=width, height=height)
    anchor = {"left": "start", "right": "end"}
    ticks = [1 + i / 2 for i in range(9)]
    x_ticks = [(c(px(v, 5)[0]), f"{v:.1f}", "start" if i == 0 else "end" if i == 8 else "middle")
               for i, v in enumerate(ticks)]
    y_ticks = [(c(px(1, v)[1]), c(px(1, v)[1] + 4), f"{v:.1f}") for v in ticks]
    # Text positions as vl-convert put them at 13 px: a "middle" baseline 4 px below the point, a
    # "top" one 10 px.
    context = {
        "width": width, "height": height, "left": 48, "top": 31, "svg_width": 48 + width + 6,
        "svg_height": 31 + height + 42, "font": FONT, "title_font": FONT + 3, "height_ticks": height + 5,
        "middle_x": c(width / 2), "middle_y": c(height / 2), "x_label_y": height + 17, "x_title_y": height + 34,
        "title": _("Prioritisation matrix"),
        "x_title": _("Changeability (team mean, 1–5)"), "y_title": _("Importance (team mean, 1–5)"),
        "x_ticks": x_ticks, "y_ticks": y_ticks,
        "notes": [(c(x), c(y + 10), n["t"], anchor[n["align"]])
                  for n in notes for x, y in [px(n["x"], n["y"])]],
        # The marks that grow with the points are written here, escaped, rather than in the
        # template's loops: Django's template loop took ~0.2 s for the 3,000 marks of 1,000 points.
        "leaders": mark_safe("".join(
            f'<line x1="{c(x1)}" y1="{c(y1)}" x2="{c(x2)}" y2="{c(y2)}"/>' for lb in labels if "px" in lb
            for x1, y1 in [px(lb["px"], lb["py"])] for x2, y2 in [px(lb["ex"], lb["ey"])])),
        "dots": mark_safe("".join(f'<circle cx="{c(x)}" cy="{c(y)}" r="{radius}"/>'
                                  for p in points for x, y in [px(p["changeability"], p["importance"])])),
        "labels": mark_safe("".join(
            f'<text aria-roledescription="text mark" text-anchor="middle" transform="translate({c(x)},{c(y + 4)})"'
            f' font-weight="bold">{escape(lb["t"])}</text>' for lb in labels for x, y in [px(lb["x"], lb["y"])])),
    }
    return charts.draw_template("projects/charts/prioritisation_matrix.svg", context)


# The matrix's text size in px at the chart's own width (the page shows it at that width or wider
# on a desktop) and its points' area in px².
FONT = 13
DOT_AREA = 90


def text_box(text, x, y, *, font=FONT, align="center", baseline="middle"):
    """A generous estimate of the box a text takes, in px: (left, top, right, bottom)."""
    w, h = len(text) * font * 0.62 + 2, font * 1.25
    left = {"left": x, "center": x - w / 2, "right": x - w}[align]
    top = {"top": y, "middle": y - h / 2, "bottom": y - h}[baseline]
    return (left, top, left + w, top + h)


class _Boxes:
    """The boxes already on the matrix, filed by the grid cell of their top left corner, so that a
    spot is weighed against the boxes near it rather than all of them (with 1,000 points the plain
    search took about a minute). The cost is the same sum as over every box, since boxes in other
    cells cover nothing of the spot; only the order of the additions differs. Boxes larger than
    three cells (the corner notes) are checked for every spot."""

    def __init__(self, *, cell):
        self.cell, self.grid, self.large = cell, {}, []
        self.widest = self.tallest = 0

    def add(self, box):
        w, h = box[2] - box[0], box[3] - box[1]
        if w > 3 * self.cell or h > 3 * self.cell:
            self.large.append(box)
            return
        self.widest, self.tallest = max(self.widest, w), max(self.tallest, h)
        key = (math.floor(box[0] / self.cell), math.floor(box[1] / self.cell))
        self.grid.setdefault(key, []).append(box)

    def cost(self, box, extra, limit):
        """The area of ``box`` covered by the boxes, plus ``extra``; once it reaches ``limit``
        (the best spot's cost so far) the sum stops there, as the spot cannot win."""
        if limit is not None and extra >= limit:
            return extra
        left, top, right, bottom = box
        cell, grid = self.cell, self.grid
        rows = range(math.floor((top - self.tallest) / cell), math.floor(bottom / cell) + 1)
        near = [self.large]
        for i in range(math.floor((left - self.widest) / cell), math.floor(right / cell) + 1):
            near.extend(grid[i, j] for j in rows if (i, j) in grid)
        total = 0
        for boxes in near:
            for t_left, t_top, t_right, t_bottom in boxes:
                # min() and max() written out: this loop is the whole cost of placing labels.
                w = (right if right < t_right else t_right) - (left if left > t_left else t_left)
                if w <= 0:
                    continue
                h = (bottom if bottom < t_bottom else t_bottom) - (top if top > t_top else t_top)
                if h > 0:
                    total += w * h
                    if limit is not None and total >= limit:
                        return total + extra
        return total + extra


# Places of the matrix that get a label: the best-ranked ones.
LABELLED_PLACES = 60


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
    taken = _Boxes(cell=font * 1.5)
    for cx, cy in (px(*key) for key in groups):
        taken.add((cx - radius, cy - radius, cx + radius, cy + radius))
    for n in notes:
        taken.add(text_box(n["t"], *px(n["x"], n["y"]), font=font, align=n["align"], baseline="top"))
    labels = []
    # Only the best-ranked places get a number: past a few dozen, numbers on a chart this size can
    # no longer be read (the ranked table beside it names every barrier), and placing each one costs
    # a search among those placed before it.
    for (xv, yv), members in list(groups.items())[:LABELLED_PLACES]:
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
                cost = taken.cost(box, outside * 1000, None if best is None else best[0])
                if best is None or cost < best[0]:
                    best = (cost, lx, ly, box)
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _cost, lx, ly, box = best
        taken.add(box)
        label = {"x": 1 + lx / width * 4, "y": 5 - ly / height * 4, "t": text}
        # A label away from its point gets a thin line from the point to the label's nearest edge.
        ex, ey = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
        if ((ex - cx) ** 2 + (ey - cy) ** 2) ** 0.5 > radius + 4:
            label.update(px=xv, py=yv, ex=1 + ex / width * 4, ey=5 - ey / height * 4)
        labels.append(label)
    return labels


def effort_by_step(by_step):
    """Bar chart of hours by step, or "" when no effort is logged (``by_step`` as from
    ``services.effort.effort_totals``). Drawn by a template once per distinct set of hours."""
    if not by_step:
        return ""
    bars = [(str(r["label"]), round(r["minutes"] / 60, 1)) for r in by_step]
    return charts.cached("effort-by-step", bars, lambda: charts.bars_svg(bars, x_title=_("Hours"), width=420))


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
    titles = {"y_title": str(y_title), "series_title": str(series_title),
              "x_title": str(_("Stakeholders' mean (1 = lowest, 5 = highest)"))}
    # One per consultation on a page: kept in the process, not the shared cache (see core.charts.cached).
    return charts.cached("stakeholder-means", [points, titles], lambda: _dot_chart(points, **titles), shared=False)


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
    return charts.svg_of(chart)


# --- the stakeholder map (issue 17) ------------------------------------------------------------------

# Where a group sits on the grid says how closely to involve it: the common power/interest grid
# (Mendelow, 1991; used for stakeholder mapping in implementation by I-STEM, Potthoff et al. 2023).
MAP_SIZE = (440, 380)


def stakeholder_map(groups, engaged_ids):
    """The project's groups by how much the service affects them (x, 1–5) and how much they can
    influence it (y, 1–5), numbered as in the table beside it; groups not yet engaged are drawn
    hollow with a dashed ring, so the team sees whom it has not heard. ``""`` with no groups."""
    if not groups:
        return ""
    points = [[n, g.affected, g.influence, g.pk in engaged_ids] for n, g in enumerate(groups, start=1)]
    data = {"points": points, "size": MAP_SIZE}
    return charts.cached("stakeholder-map", data, lambda: _map_svg(points))


def _map_svg(points):
    width, height = MAP_SIZE
    cell_w, cell_h = width / 5, height / 5
    # Groups in the same cell are spread around its centre, so none hides another.
    by_cell = {}
    for point in points:
        by_cell.setdefault((point[1], point[2]), []).append(point)
    marks = []
    for (x, y), members in by_cell.items():
        cx, cy = (x - 0.5) * cell_w, (5.5 - y) * cell_h
        for i, (number, _x, _y, engaged) in enumerate(members):
            if len(members) > 1:
                angle = 2 * math.pi * i / len(members)
                spread = min(cell_w, cell_h) * 0.3
                px, py = cx + spread * math.cos(angle), cy + spread * math.sin(angle)
            else:
                px, py = cx, cy
            marks.append({"x": charts.coord(px), "y": charts.coord(py), "n": number, "engaged": engaged})
    context = {
        "width": width, "height": height, "svg_width": width + 70, "svg_height": height + 90,
        "cells": [charts.coord(i * cell_w) for i in range(6)], "rows": [charts.coord(i * cell_h) for i in range(6)],
        "ticks_x": [(charts.coord((i - 0.5) * cell_w), i) for i in range(1, 6)],
        "ticks_y": [(charts.coord((5.5 - i) * cell_h), i) for i in range(1, 6)],
        "marks": marks, "mid_x": width / 2, "mid_y": height / 2,
        "title": _("Stakeholder map"),
        "x_title": _("How much the service affects them"), "y_title": _("How much they can influence it"),
        "quadrants": [(width * 0.75, 14, _("Involve closely")), (width * 0.25, 14, _("Keep on board")),
                      (width * 0.75, height - 6, _("Keep informed")),
                      (width * 0.25, height - 6, _("Check in now and then"))],
        "legend_engaged": _("reached"), "legend_not": _("not engaged yet"),
    }
    return charts.draw_template("projects/charts/stakeholder_map.svg", context)
