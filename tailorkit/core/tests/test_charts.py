"""Charts: drawn once per distinct data into the shared cache, as SVG images (core/charts.py)."""

import base64
from xml.etree import ElementTree

import altair as alt
import pytest
from django.core.cache import caches
from django.utils import translation

from tailorkit.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(uri):
    assert uri.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(uri.split(",", 1)[1]).decode()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_charts")]  # the shared cache is a table


def test_an_altair_chart_is_an_svg_image_drawn_once(vl_calls):
    chart = alt.Chart(alt.Data(values=[{"a": "<script>x</script>", "b": 2}])).mark_bar().encode(x="b:Q", y="a:N")
    uri = charts.render(chart)
    svg = svg_of(uri)
    assert "<svg" in svg and "<script>" not in svg
    assert charts.render(chart) == uri
    assert len(vl_calls) == 1
    assert charts.render(None) == ""


def test_the_shared_cache_serves_every_process():
    drawn = []
    uri = charts.cached("test", {"n": 1}, lambda: drawn.append(1) or "<svg/>")
    assert charts.cached("test", {"n": 1}, lambda: drawn.append(1) or "<svg/>") == uri
    assert drawn == [1]
    assert caches["charts"].get(charts.key_of("test", {"n": 1})) is not None


def test_charts_by_the_dozen_are_kept_in_the_process_without_a_query(django_assert_num_queries, monkeypatch):
    drawn = []
    with django_assert_num_queries(0):
        uri = charts.cached("per-question", [1], lambda: drawn.append(1) or "<svg/>", shared=False)
        assert charts.cached("per-question", [1], lambda: drawn.append(1) or "<svg/>", shared=False) == uri
    assert drawn == [1] and svg_of(uri) == "<svg/>"
    monkeypatch.setattr(charts, "LOCAL_SIZE", 2)
    for n in range(5):
        charts.cached("per-question", n, lambda: "<svg/>", shared=False)
    assert len(charts._local) == 2


def test_different_data_kind_or_language_is_a_different_picture():
    keys = {charts.key_of("test", {"n": 1}), charts.key_of("test", {"n": 2}), charts.key_of("other", {"n": 1})}
    with translation.override("fr"):
        keys.add(charts.key_of("test", {"n": 1}))
    assert len(keys) == 4
    first = charts.cached("test", {"n": 1}, lambda: "<svg>1</svg>")
    second = charts.cached("test", {"n": 2}, lambda: "<svg>2</svg>")
    assert svg_of(first) == "<svg>1</svg>" and svg_of(second) == "<svg>2</svg>"


@pytest.mark.parametrize(("top", "end", "labels"), [
    (10.2, 11, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]),
    (0.35, 0.35, ["0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]),
    (1234, 1300, ["0", "100", "200", "300", "400", "500", "600", "700", "800", "900", "1,000", "1,100",
                  "1,200", "1,300"]),
    (0, 1, ["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"]),
])
def test_axis_ticks_are_vegas_nice_ticks(top, end, labels):
    stop, ticks = charts.nice_ticks(top, 11)
    assert stop == pytest.approx(end)
    assert [label for _v, label in ticks] == labels


def test_overlapping_axis_labels_are_thinned_every_other_one():
    ticks = [(i * 10.0, "1,000") for i in range(9)]
    kept = charts.thin_labels(ticks, font=10)
    assert [x for x, _t in kept] == [0.0, 40.0, 80.0]


def test_bars_are_a_valid_svg_with_one_bar_per_row_in_proportion():
    svg = charts.bars_svg([("Goals <b>", 5.0), ("Matching", 1.6), ("Planning", 10.2)], x_title="Hours", width=420)
    root = ElementTree.fromstring(svg)
    bars = root.findall(f".//{SVG}rect[@aria-roledescription='bar']")
    assert [b.get("aria-label") for b in bars] == ["Goals <b>: 5.0", "Matching: 1.6", "Planning: 10.2"]
    widths = [float(b.get("width")) for b in bars]
    assert widths[2] == pytest.approx(420 * 10.2 / 11, abs=0.01) and widths[0] == pytest.approx(420 * 5 / 11, abs=0.01)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Goals <b>" in texts and "Hours" in texts and "11" in texts and "<b>" not in svg


def test_a_long_label_is_cut_as_vega_does():
    assert charts.fit("short", 10, 180) == "short"
    cut = charts.fit("a very long name " * 10, 10, 180)
    assert cut.endswith("…") and charts.text_width(cut, 10) <= 180
