"""Result charts, built with altair and drawn by ``tailorkit.core.charts`` (one renderer for every
chart; see there why it is an image with a table beside it)."""

import altair as alt

from tailorkit.core import charts

WIDTH = 320


def bar_chart(rows, *, value_title, category_title="", counts=False):
    """Horizontal bars, one per row ``{"label": str, "value": number}``, in the given order.

    ``counts``: the values are numbers of answers, so the axis has whole-number ticks from 0 (left
    to itself, Vega-Lite divides a range of 0–2 into 0.0, 0.2 … 2.0, and nobody gives 0.2 answers).
    """
    values = [{"label": str(r["label"]), "value": r["value"], "order": i} for i, r in enumerate(rows)]
    data = [values, str(value_title), str(category_title), counts]
    # Built with altair only when this data has not been drawn before; kept in the process, as a
    # results page has one chart per question (see core.charts.cached).
    return charts.cached("result-bars", data, lambda: _bar_svg(values, rows, value_title, category_title, counts),
                         shared=False)


def _bar_svg(values, rows, value_title, category_title, counts):
    top = max([r["value"] for r in rows if r["value"] is not None] or [0])
    # tickMinStep alone still puts ticks at halves, printed "1", "1", "2"; a tick count no larger
    # than the largest count leaves only whole numbers.
    axis = alt.Axis(tickMinStep=1, tickCount=max(1, min(int(top), 8)), format="d") if counts else alt.Undefined
    scale = alt.Scale(domainMin=0) if counts else alt.Undefined
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar(color="#1f6f8b")
        .encode(
            x=alt.X("value:Q", title=str(value_title), axis=axis, scale=scale),
            y=alt.Y("label:N", title=str(category_title) or None, sort=alt.SortField("order"),
                    axis=alt.Axis(labelLimit=220)),
            tooltip=[alt.Tooltip("label:N"), alt.Tooltip("value:Q")],
        )
        .properties(width=WIDTH, height=alt.Step(22))
    )
    return charts.svg_of(chart)
