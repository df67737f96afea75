"""Charts for the tailoring cycle: altair (Vega-Lite) rendered to SVG on the server with vl-convert,
so the same SVG serves the page and the PDF and no chart script runs in the browser (CSP).

Every chart has a text alternative next to it in the template (a ranked table)."""

import altair as alt
import vl_convert
from django.utils.translation import gettext as _


def prioritisation_matrix_svg(rows, *, width=420, height=360):
    """Barriers by team mean changeability (x) and importance (y), 1–5, with quadrant lines at 3.

    ``rows`` are ``services.step1.RankedBarrier``; unrated barriers are left out (they have no
    point). Returns an SVG string, or "" when nothing is rated yet.
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
    return vl_convert.vegalite_to_svg(chart.to_dict())
