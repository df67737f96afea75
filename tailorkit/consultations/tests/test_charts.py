"""Result charts: drawn by the bar template of core/charts.py once per distinct data, kept in the
process (consultations/charts.py)."""

import base64
from xml.etree import ElementTree

import pytest

from tailorkit.consultations import charts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_charts")]
SVG = "{http://www.w3.org/2000/svg}"


def _svg(uri):
    return base64.b64decode(uri.split(",", 1)[1]).decode()


def test_a_result_chart_is_drawn_once_per_distinct_data_without_vega(drawings, vl_calls):
    rows = [{"label": "Yes", "value": 3}, {"label": "No <i>", "value": 1}]
    uri = charts.bar_chart(rows, value_title="Answers", counts=True)
    svg = _svg(uri)
    root = ElementTree.fromstring(svg)
    bars = root.findall(f".//{SVG}rect[@aria-roledescription='bar']")
    assert [b.get("aria-label") for b in bars] == ["Yes: 3", "No <i>: 1"]
    assert float(bars[0].get("width")) == pytest.approx(3 * float(bars[1].get("width")), abs=0.05)
    assert "No &lt;i&gt;" in svg
    assert charts.bar_chart([dict(r) for r in rows], value_title="Answers", counts=True) == uri
    assert drawings == ["result-bars"]
    assert charts.bar_chart(rows, value_title="Answers", counts=False) != uri
    assert charts.bar_chart(rows[:1], value_title="Answers", counts=True) != uri
    assert drawings == ["result-bars"] * 3
    assert vl_calls == []  # no Vega in a results page: a first view costs milliseconds, not a Vega start


@pytest.mark.parametrize("top, ticks", [(0, ["0", "1"]), (2, ["0", "1", "2"]), (7, [str(n) for n in range(8)])])
def test_count_axes_have_only_whole_numbers(top, ticks):
    svg = _svg(charts.bar_chart([{"label": "A", "value": top}], value_title="Answers", counts=True))
    root = ElementTree.fromstring(svg)
    labels = root.find(f".//{SVG}g[@class='role-axis-label']")
    # The bars' own labels stand left of the axis (at x = -7); the rest are the ticks.
    assert [t.text for t in labels.findall(f"{SVG}text") if not t.get("transform").startswith("translate(-")] == ticks
