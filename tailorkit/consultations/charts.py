"""Result charts, built with altair and drawn by ``tailorkit.core.charts`` (one renderer for every
chart; see there why it is an image with a table beside it)."""

import altair as alt

from tailorkit.core import charts

WIDTH = 320


def bar_chart(rows, *, value_title, category_title=""):
    """Horizontal bars, one per row ``{"label": str, "value": number}``, in the given order."""
    values = [{"label": str(r["label"]), "value": r["value"], "order": i} for i, r in enumerate(rows)]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar(color="#1f6f8b")
        .encode(
            x=alt.X("value:Q", title=str(value_title)),
            y=alt.Y("label:N", title=str(category_title) or None, sort=alt.SortField("order"),
                    axis=alt.Axis(labelLimit=220)),
            tooltip=[alt.Tooltip("label:N"), alt.Tooltip("value:Q")],
        )
        .properties(width=WIDTH, height=alt.Step(22))
    )
    return charts.render(chart)
