"""Result charts: built with altair and drawn by vl-convert once per distinct data
(consultations/charts.py through core/charts.py)."""

import base64
from xml.etree import ElementTree

import pytest

from tailorkit.consultations import charts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_charts")]  # the shared cache is a table


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
