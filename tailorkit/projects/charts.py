"""Charts for the tailoring cycle, built with altair and drawn by ``tailorkit.core.charts`` (one
renderer for every chart). Every chart has a table with the same numbers next to it in the
template."""

import altair as alt
from django.utils.translation import gettext as _

from tailorkit.core import charts


def prioritisation_matrix(rows, *, width=420, height=360):
    """Barriers by team mean changeability (x) and importance (y), 1–5, with quadrant lines at 3.

    ``rows`` are ``selectors.goals.RankedBarrier``; unrated barriers are left out (they have no
    point). Returns a ``data:`` URL for ``core/_chart.html``, or "" when nothing is rated yet.
    """
    points = [{"name": row.barrier.name, "label": f"{row.rank}. {row.barrier.name}" if row.rank else row.barrier.name,
               "importance": round(row.mean_importance, 2), "changeability": round(row.mean_changeability, 2),
               "n": row.n}
              for row in rows if row.mean_importance is not None]
    if not points:
        return ""
    x_title, y_title = _("Changeability (team mean, 1–5)"), _("Importance (team mean, 1–5)")
    scale = alt.Scale(domain=[1, 5], nice=False, zero=False)
    data = alt.Data(values=points)
    base = alt.Chart(data)
    dots = base.mark_circle(size=90, opacity=0.85).encode(
        x=alt.X("changeability:Q", scale=scale, title=x_title),
        y=alt.Y("importance:Q", scale=scale, title=y_title),
    )
    labels = base.mark_text(align="left", dx=7, dy=-6, fontSize=11, limit=180).encode(
        x=alt.X("changeability:Q", scale=scale), y=alt.Y("importance:Q", scale=scale), text="label:N",
    )
    rules = alt.Data(values=[{"v": 3}])
    vline = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#888").encode(x=alt.X("v:Q", scale=scale))
    hline = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#888").encode(y=alt.Y("v:Q", scale=scale))
    # Quadrant names: the top right (important and changeable) is where to start.
    def corner_notes(values, align):
        return alt.Chart(alt.Data(values=values)).mark_text(
            fontSize=10, color="#666", baseline="top", align=align).encode(
            x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="t:N")

    notes_right = corner_notes([{"x": 4.95, "y": 4.95, "t": _("Start here")},
                                {"x": 4.95, "y": 1.35, "t": _("Easy, less important")}], "right")
    notes_left = corner_notes([{"x": 1.05, "y": 4.95, "t": _("Important, hard to change")}], "left")
    chart = alt.layer(vline, hline, notes_right, notes_left, dots, labels).properties(
        width=width, height=height, title=_("Prioritisation matrix")
    ).configure_view(stroke=None)
    return charts.render(chart)


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
