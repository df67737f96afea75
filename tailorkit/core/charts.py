"""One way to draw a chart: altair (Vega-Lite) rendered to SVG on the server with vl-convert.

Every app builds its chart with altair and hands it to ``render``, which returns a ``data:`` URL.
Templates embed it with ``{% include "core/_chart.html" %}`` as an ``<img>`` in pages and PDFs
alike:

* rendering on the server means the same picture serves the page and the PDF, and no charting
  script runs in the browser;
* an image is sandboxed (no scripts, no outside requests) and the SVG's own style attributes
  stay inside it, so the page's Content-Security-Policy can keep forbidding inline styles, and
  user text in the chart (a barrier's name) cannot become markup in the page;
* every chart has a table with the same numbers beside it, because a picture alone does not reach
  screen-reader users (WCAG 1.1.1); the include takes the caption that says so.

Rendered SVGs are cached in the process by the chart's specification: the same chart (a page
reloaded, the PDF of the page just seen) is drawn once. The first rendering in a process starts
vl-convert's JavaScript engine (~0.5 s); later ones take tens of milliseconds.
"""

import base64
import functools
import json

import vl_convert


@functools.lru_cache(maxsize=512)
def _svg(spec_json):
    return vl_convert.vegalite_to_svg(json.loads(spec_json))


def svg_of(chart):
    """The SVG text of an altair chart (cached by its specification)."""
    return _svg(json.dumps(chart.to_dict(), sort_keys=True))


def data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render(chart):
    """An altair chart as a ``data:`` URL for ``<img src>``, or "" when there is no chart."""
    return data_uri(svg_of(chart)) if chart is not None else ""
