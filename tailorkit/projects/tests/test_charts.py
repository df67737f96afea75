"""The tailoring cycle's charts: drawn by templates once per distinct data (projects/charts.py)."""

import base64
import random
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from tailorkit.projects import charts
from tailorkit.projects.charts import DOT_AREA, FONT, text_box

SVG = "{http://www.w3.org/2000/svg}"


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_charts")]  # the shared cache is a table




def ranked(*places):
    return [SimpleNamespace(barrier=SimpleNamespace(name=f"Barrier {i}"), rank=i + 1, mean_importance=imp,
                            mean_changeability=chg, n=2) for i, (chg, imp) in enumerate(places)]


def parse(uri):
    return ElementTree.fromstring(base64.b64decode(uri.split(",", 1)[1]).decode())


def test_the_matrix_is_drawn_once_for_the_same_points(drawings):
    rows = ranked((4.2, 4.5), (3.5, 2.0))
    first = charts.prioritisation_matrix(rows)
    assert charts.prioritisation_matrix(ranked((4.2, 4.5), (3.5, 2.0))) == first
    assert drawings == ["prioritisation-matrix"]
    other = charts.prioritisation_matrix(ranked((4.2, 4.5), (3.5, 2.5)))
    assert other != first and drawings == ["prioritisation-matrix"] * 2


def test_the_matrix_is_a_valid_svg_with_a_point_per_barrier_and_their_ranks():
    rows = ranked((4.2, 4.5), (3.5, 2.0), (4.2, 4.5), (1.5, 1.5))
    root = parse(charts.prioritisation_matrix(rows))
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 4
    # Changeability 3.5 of 1–5 on 440 px, importance 2.0 on 380 px (from the top).
    assert ("275", "285") in {(c.get("cx"), c.get("cy")) for c in circles}
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"
              and t.get("aria-roledescription") == "text mark"]
    assert sorted(labels) == ["1, 3", "2", "4"]
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Prioritisation matrix", "Start here", "1.0", "5.0"} <= texts
    assert "Barrier 1" not in ElementTree.tostring(root, encoding="unicode")
    sizes = {float(t.get("font-size", "13px")[:-2]) for t in root.iter(f"{SVG}text")}
    assert min(sizes | {FONT}) >= 12


def test_the_matrix_is_empty_when_nothing_is_rated(drawings):
    assert charts.prioritisation_matrix(ranked((None, None))[:0]) == ""
    assert drawings == []


def reference_place_labels(points, notes=(), *, width, height, font=FONT):
    """The search as it was before the grid (issue 10), over every box: the grid must give the
    same labels."""
    def px(xv, yv):
        return (xv - 1) / 4 * width, (5 - yv) / 4 * height

    def overlap(a, b):
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        return w * h if w > 0 and h > 0 else 0

    groups = {}
    for p in sorted(points, key=lambda p: (p["rank"] is None, p["rank"] or 0)):
        groups.setdefault((p["changeability"], p["importance"]), []).append(p)
    radius = (DOT_AREA / 3.14159) ** 0.5
    taken = [(cx - radius, cy - radius, cx + radius, cy + radius) for cx, cy in (px(*key) for key in groups)]
    taken += [text_box(n["t"], *px(n["x"], n["y"]), font=font, align=n["align"], baseline="top") for n in notes]
    labels = []
    for (xv, yv), members in groups.items():
        text = ", ".join(str(p["rank"]) for p in members if p["rank"] is not None) or "–"
        cx, cy = px(xv, yv)
        w, h = len(text) * font * 0.62 + 2, font * 1.25
        best = None
        for ring in (1, 2, 3, 4):
            gap = radius + 2 + (ring - 1) * h
            for dx, dy in ((1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1)):
                lx, ly = cx + dx * (gap + w / 2), cy + dy * (gap + h / 2)
                box = (lx - w / 2, ly - h / 2, lx + w / 2, ly + h / 2)
                outside = max(0, -box[0]) + max(0, box[2] - width) + max(0, -box[1]) + max(0, box[3] - height)
                cost = sum(overlap(box, t) for t in taken) + outside * 1000
                if best is None or cost < best[0]:
                    best = (cost, lx, ly, box)
                if cost == 0:
                    break
            if best[0] == 0:
                break
        _cost, lx, ly, box = best
        taken.append(box)
        label = {"x": 1 + lx / width * 4, "y": 5 - ly / height * 4, "t": text}
        ex, ey = min(max(cx, box[0]), box[2]), min(max(cy, box[1]), box[3])
        if ((ex - cx) ** 2 + (ey - cy) ** 2) ** 0.5 > radius + 4:
            label.update(px=xv, py=yv, ex=1 + ex / width * 4, ey=5 - ey / height * 4)
        labels.append(label)
    return labels


@pytest.mark.parametrize(("n", "spread", "decimals"), [(12, 0.5, 1), (60, 2, 2), (150, 4, 2), (150, 1, 1)])
def test_labels_are_placed_as_by_the_search_over_every_box(n, spread, decimals):
    rng = random.Random(n * 10 + decimals)
    points = [{"rank": i + 1, "importance": round(3 + rng.uniform(-spread, spread), decimals),
               "changeability": round(3 + rng.uniform(-spread, spread), decimals)} for i in range(n)]
    notes = [{"x": 4.95, "y": 4.95, "t": "Start here", "align": "right"},
             {"x": 4.95, "y": 1.45, "t": "Easy, less important", "align": "right"},
             {"x": 1.05, "y": 4.95, "t": "Important, hard to change", "align": "left"}]
    got = charts.place_labels(points, notes, width=440, height=380)
    # The best-ranked places get the labels the full search gives them; past LABELLED_PLACES none.
    places = len({(p["changeability"], p["importance"]) for p in points})
    assert len(got) == min(places, charts.LABELLED_PLACES)
    assert got == reference_place_labels(points, notes, width=440, height=380)[:len(got)]


def test_only_the_best_ranked_places_are_numbered_on_a_crowded_matrix():
    points = [{"rank": i + 1, "importance": 1 + (i % 40) / 10, "changeability": 1 + (i // 40) / 10}
              for i in range(1000)]
    labels = charts.place_labels(points, width=440, height=380)
    assert [lb["t"] for lb in labels] == [str(i) for i in range(1, charts.LABELLED_PLACES + 1)]


def test_the_effort_chart_is_drawn_once_with_a_bar_per_step(drawings):
    by_step = [{"label": "Goals and barriers", "minutes": 300}, {"label": "Planning <b>", "minutes": 610}]
    uri = charts.effort_by_step(by_step)
    assert charts.effort_by_step([dict(r) for r in by_step]) == uri and drawings == ["effort-by-step"]
    root = parse(uri)
    bars = root.findall(f".//{SVG}rect[@aria-roledescription='bar']")
    assert [b.get("aria-label") for b in bars] == ["Goals and barriers: 5.0", "Planning <b>: 10.2"]
    assert charts.effort_by_step([{"label": "Planning <b>", "minutes": 620}]) != uri
    assert charts.effort_by_step([]) == ""


def test_the_stakeholder_chart_is_built_with_altair_only_once(monkeypatch):
    import vl_convert

    calls = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: calls.append(1) or real(spec))
    row = SimpleNamespace(name="GPs are busy", aspects=["importance", "changeability"],
                          cells=[SimpleNamespace(mean=4.0), SimpleNamespace(mean=2.5)])
    entry = {"barriers": [row], "options": []}
    uri = charts.stakeholder_means(entry, {})
    assert "GPs are busy" in base64.b64decode(uri.split(",", 1)[1]).decode()
    assert charts.stakeholder_means(entry, {}) == uri and len(calls) == 1
    row.cells[1] = SimpleNamespace(mean=3.0)
    assert charts.stakeholder_means(entry, {}) != uri and len(calls) == 2
