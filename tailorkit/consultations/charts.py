"""Result charts: Vega-Lite specs built with altair and rendered to SVG on the server (vl-convert).

Rendering on the server means the same SVG serves the page and the PDF reports, and the browser
needs no charting script. Pages embed the SVG as an ``<img>`` with a ``data:`` URL: an image is
sandboxed (no scripts, no outside requests) and the SVG's own style attributes stay inside the
image, so the page's Content-Security-Policy can keep forbidding inline styles. Every chart has a
text table beside it with the same numbers (charts alone do not reach screen-reader users).
"""

import base64
import functools
import json

import altair as alt
import vl_convert

WIDTH = 320


@functools.lru_cache(maxsize=512)
def _svg(spec_json):
    # The first rendering starts the embedded JavaScript engine (~0.5 s); later ones take ~30 ms.
    # Identical charts (a page reloaded) are served from this cache.
    return vl_convert.vegalite_to_svg(json.loads(spec_json))


def svg_of(chart):
    return _svg(json.dumps(chart.to_dict(), sort_keys=True))


def data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


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
    return data_uri(svg_of(chart))
