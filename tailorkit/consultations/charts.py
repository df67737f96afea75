"""Result charts: horizontal bars drawn by the SVG template of ``tailorkit.core.charts`` (one
renderer for every chart; see there why it is an image with a table beside it)."""

from tailorkit.core import charts

WIDTH = 320
STEP = 22


def bar_chart(rows, *, value_title, counts=False):
    """Horizontal bars, one per row ``{"label": str, "value": number}``, in the given order.

    ``counts``: the values are numbers of answers, so the axis has whole-number ticks from 0.
    A results page has one chart per question, so the drawing is kept in this process (no query
    per chart; see ``core.charts.cached``).
    """
    bars = [(str(r["label"]), r["value"]) for r in rows]
    data = [bars, str(value_title), counts]
    return charts.cached("result-bars", data,
                         lambda: charts.bars_svg(bars, x_title=str(value_title), width=WIDTH, step=STEP,
                                                 color="#1f6f8b", whole=counts),
                         shared=False)
