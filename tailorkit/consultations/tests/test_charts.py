"""Result charts: built with altair and drawn by vl-convert once per distinct data
(consultations/charts.py through core/charts.py)."""

import base64
from collections import OrderedDict
from xml.etree import ElementTree

import pytest
import vl_convert

from tailorkit.consultations import charts
from tailorkit.core import charts as core_charts

pytestmark = pytest.mark.django_db  # the shared cache of charts is a table


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    """No chart kept in this process from an earlier test (the shared cache is rolled back)."""
    monkeypatch.setattr(core_charts, "_local", OrderedDict())


@pytest.fixture
def vl_calls(monkeypatch):
    calls = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: calls.append(spec) or real(spec))
    return calls


def test_a_result_chart_is_drawn_once_per_distinct_data(vl_calls):
    rows = [{"label": "Yes", "value": 3}, {"label": "No <i>", "value": 1}]
    uri = charts.bar_chart(rows, value_title="Answers", counts=True)
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    root = ElementTree.fromstring(svg)
    assert len([p for p in root.iter("{http://www.w3.org/2000/svg}path")
                if p.get("aria-roledescription") == "bar"]) == 2
    assert "No &lt;i&gt;" in svg
    assert charts.bar_chart([dict(r) for r in rows], value_title="Answers", counts=True) == uri
    assert len(vl_calls) == 1
    assert charts.bar_chart(rows, value_title="Answers", counts=False) != uri
    assert charts.bar_chart(rows[:1], value_title="Answers", counts=True) != uri
    assert len(vl_calls) == 3
