"""How charts are drawn: once per distinct data, as an SVG image with a table beside it.

Every chart reaches the page as a ``data:`` URL that templates embed with
``{% include "core/_chart.html" %}`` as an ``<img>``, in pages and PDFs alike:

* drawing on the server means the same picture serves the page and the PDF, and no charting
  script runs in the browser;
* an image is sandboxed (no scripts, no outside requests) and the SVG's own style attributes
  stay inside it, so the page's Content-Security-Policy can keep forbidding inline styles, and
  user text in the chart (a barrier's name) cannot become markup in the page;
* every chart has a table with the same numbers beside it, because a picture alone does not reach
  screen-reader users (WCAG 1.1.1); the include takes the caption that says so.

Two ways to draw, one cache:

* simple charts with fixed axes (the prioritisation matrix, bars of hours) are drawn by an SVG
  template (``draw_template``): milliseconds where building the chart with altair, validating it
  and rendering it with vl-convert took 0.1–1 s (bench/charts.py);
* other charts are built with altair and rendered to SVG by vl-convert (``svg_of``, ``render``).

``cached(kind, data, make)`` keys the finished picture by a hash of the chart's kind, ``VERSION``,
the language and the data it shows, in the shared Django cache (alias ``charts`` when configured,
else ``default``), so every worker and the PDF reuse one drawing (charts that come by the dozen,
one per question, are kept in the process instead: see ``cached``). Callers pass the data, not a
built chart, so a hit costs no altair work at all. Bump ``VERSION`` whenever a drawing changes.
"""

import base64
import hashlib
import json
import math
import threading
import zlib
from collections import OrderedDict

import vl_convert
from django.conf import settings
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import translation

VERSION = 2
# A month: a chart's key changes with its data, so an entry is never stale, only unused.
TIMEOUT = 30 * 24 * 3600
LOCAL_SIZE = 512

_local = OrderedDict()
_lock = threading.Lock()


def _cache():
    return caches["charts" if "charts" in settings.CACHES else "default"]


def key_of(kind, data):
    """The cache key of a chart of ``kind`` showing ``data`` (anything JSON can write)."""
    text = json.dumps([VERSION, kind, translation.get_language(), data], sort_keys=True, default=str,
                      separators=(",", ":"))
    return f"chart:{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def draw(kind, make):
    """Draw one picture (``make()`` returns SVG text). Every drawing passes here, once per
    distinct data while the cache keeps it; tests count the calls."""
    return make()


def cached(kind, data, make, *, shared=True):
    """The ``data:`` URL of the chart of ``kind`` showing ``data``: from the cache, or drawn now by
    ``make()`` (SVG text) and stored.

    ``shared``: in the shared cache, for every process. A hit costs one cache read (a fraction of
    a millisecond; 35 ms at 1,000 points), which is one query with the database cache: right for
    a page's one or two big charts, not for charts whose number grows with the page's rows (a
    result chart per question), which would cost a query each. Those pass ``shared=False`` and are
    kept in this process only (the last ``LOCAL_SIZE``), with no query."""
    key = key_of(kind, data)
    if not shared:
        with _lock:
            uri = _local.get(key)
            if uri is not None:
                _local.move_to_end(key)
                return uri
        uri = data_uri(draw(kind, make))
        with _lock:
            _local[key] = uri
            while len(_local) > LOCAL_SIZE:
                _local.popitem(last=False)
        return uri
    cache = _cache()
    packed = cache.get(key)
    if packed is None:
        svg = draw(kind, make)
        # SVG text compresses about tenfold; the shared cache is a database table.
        packed = zlib.compress(svg.encode(), 6)
        cache.set(key, packed, TIMEOUT)
    return "data:image/svg+xml;base64," + base64.b64encode(zlib.decompress(packed)).decode()


def svg_of(chart):
    """The SVG text of an altair chart, rendered by vl-convert (not cached: see ``cached``)."""
    return vl_convert.vegalite_to_svg(chart.to_dict())


def data_uri(svg):
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def render(chart):
    """An altair chart as a ``data:`` URL for ``<img src>``, or "" when there is no chart.

    Keyed by its specification without validating it (altair's validation runs only when it is
    drawn). Prefer ``cached`` with the chart's data and a function that builds the chart: a hit
    then builds nothing."""
    if chart is None:
        return ""
    return cached("vega-lite", chart.to_dict(validate=False), lambda: svg_of(chart))


def draw_template(template, context):
    """SVG text from a chart template (autoescaped, so user text stays text)."""
    return render_to_string(template, context)


# --- helpers for charts drawn by a template ----------------------------------------------------
# These follow Vega's defaults (d3's "nice" linear ticks, labels in the step's precision, every
# other label dropped while labels overlap), so a chart drawn by a template looks like the one
# vl-convert drew before. They are a few lines each; calling Vega for them is what we avoid.


def text_width(text, font):
    """An estimate of a sans-serif text's width in px (no font metrics on the server)."""
    return len(text) * font * 0.5


def fit(text, font, limit):
    """``text`` cut with "…" to about ``limit`` px, as Vega's ``labelLimit`` does."""
    if text_width(text, font) <= limit:
        return text
    keep = max(1, int(limit / (font * 0.5)) - 1)
    return text[:keep].rstrip() + "…"


def _tick_increment(start, stop, count):
    # d3-array's tickIncrement: a step of 1, 2 or 5 times a power of ten (negative: its inverse).
    step = (stop - start) / max(0, count)
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = 10 if error >= 50**0.5 else 5 if error >= 10**0.5 else 2 if error >= 2**0.5 else 1
    return factor * 10**power if power >= 0 else -(10 ** -power) / factor


def nice_ticks(stop, count):
    """Ticks from 0 over [0, stop] as Vega draws a zero-based linear axis with ``count`` ticks:
    (domain end, [(value, label)])."""
    start = 0.0
    stop = float(stop) if stop > 0 else 1.0
    previous = None
    for _ in range(10):  # d3-scale's nice(): grow the domain to whole steps until it settles
        step = _tick_increment(start, stop, count)
        if step == previous:
            break
        if step > 0:
            stop = math.ceil(stop / step) * step
        else:
            stop = math.floor(stop * step) / step
        previous = step
    step = _tick_increment(start, stop, count)
    if step > 0:
        values = [i * step for i in range(int(round(stop / step)) + 1)]
    else:
        values = [i / -step for i in range(int(round(stop * -step)) + 1)]
    size = step if step > 0 else 1 / -step
    decimals = max(0, -math.floor(math.log10(size)))
    return stop, [(v, f"{v:,.{decimals}f}") for v in values]


def thin_labels(ticks, *, font):
    """Vega's "parity" label overlap: keep every other label until none overlap. ``ticks`` are
    (px, label); returns the labels kept."""
    kept = list(ticks)
    while len(kept) > 2:
        boxes = [(x - text_width(t, font) / 2, x + text_width(t, font) / 2) for x, t in kept]
        if all(a[1] + 2 <= b[0] for a, b in zip(boxes, boxes[1:], strict=False)):
            break
        kept = kept[::2]
    return kept


def coord(value):
    """A coordinate for the SVG: two decimals at most, no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def bars_svg(bars, *, x_title, width, step=30, font=10, color="#4c78a8", whole=False):
    """SVG text of horizontal bars ``[(label, value)]`` in the given order, on a linear axis from
    0 with Vega's ticks (``ceil(width / 40)`` of them) and Vega-Lite's look: bands of ``step`` px,
    bars of 90 % of a band, labels cut at 180 px.

    ``whole``: the values are counts, so every tick is a whole number (no more ticks than the
    largest count: over 0–2, Vega's default would print 0.0, 0.2 … 2.0, and nobody gives 0.2
    answers)."""
    top = max([v for _l, v in bars if v is not None] or [0])
    count = max(1, min(int(top), 8)) if whole else math.ceil(width / 40)
    top_value, ticks = nice_ticks(top, count)
    scale = width / top_value
    labels = [fit(label, font, 180) for label, _v in bars]
    left = math.ceil(max(text_width(t, font) for t in labels)) + 12
    height = step * len(bars)
    ticks_px = [(coord(v * scale), label) for v, label in ticks]
    kept = thin_labels([(v * scale, label) for v, label in ticks], font=font)
    context = {
        "left": left, "top": 5, "width": width, "height": height, "svg_width": left + width + 6,
        "svg_height": height + 42, "font": font, "title_font": font + 1, "color": color,
        "height_ticks": height + 5, "x_label_y": height + 15, "x_title_y": height + 30, "middle_x": coord(width / 2),
        "x_title": x_title, "bandwidth": coord(step * 0.9),
        "ticks": [(x, label, "") for x, label in ticks_px],
        "labels": [(coord(x), label, "start" if i == 0 else "end" if x >= width - 0.01 else "middle")
                   for i, (x, label) in enumerate(kept)],
        "bars": [(coord(step * i + step / 2), coord(step * i + step / 2 + 2.5), label, coord(step * i + step * 0.05),
                  coord(max(0, value or 0) * scale), f"{value:,}" if value is not None else "–")
                 for i, (label, (_l, value)) in enumerate(zip(labels, bars, strict=True))],
    }
    return draw_template("core/charts/bars.svg", context)
