import pytest
from django.urls import reverse

from tailorkit.consultations.services.results import consultation_results

from .factories import CHOICE, LIKERT, NR, TEXT, add_response, make_consultation_asking


@pytest.fixture
def consultation(org, alice):
    return make_consultation_asking(org, alice, [CHOICE, LIKERT, TEXT], groups=["clinician", "manager"])


def fill(consultation, clinicians=5, managers=2):
    for i in range(clinicians):
        add_response(
            consultation,
            {"role": "gp" if i % 2 else "nurse", "time": [5, 4, 4, 3, 5][i % 5], "help": f"clinician idea {i}"},
            group="clinician",
        )
    for i in range(managers):
        add_response(consultation, {"role": "nurse", "time": 1, "help": f"SECRET manager idea {i}"}, group="manager")


def by_key(results, key):
    return next(r for r in results["questions"] if r["key"] == key)


def test_it_shows_distributions_means_and_intervals(consultation):
    fill(consultation, clinicians=5, managers=0)
    add_response(consultation, {"time": NR}, group="clinician")
    time = by_key(consultation_results(consultation), "time")["overall"]
    assert [d["count"] for d in time["distribution"]] == [0, 0, 1, 2, 2]
    assert time["n"] == 5 and time["not_relevant"] == 1
    assert time["summary"]["mean"] == pytest.approx(4.2)  # "not relevant" stays out of the mean
    assert time["summary"]["ci_low"] < 4.2 < time["summary"]["ci_high"]
    assert time["chart"].startswith("data:image/svg+xml;base64,")


def test_everything_is_withheld_below_the_threshold(consultation):
    fill(consultation, clinicians=3, managers=1)
    results = consultation_results(consultation)
    assert results["withheld"] and results["questions"] == []
    assert results["note"] == "Fewer than 5 answers in total: withheld to protect anonymity."


def test_a_small_group_is_withheld_free_text_included(client_for, alice, org, consultation):
    fill(consultation, clinicians=6, managers=2)
    help_result = by_key(consultation_results(consultation), "help")
    groups = {g["group"]: g for g in help_result["groups"]}
    assert groups["manager"]["withheld"] and "texts" not in groups["manager"]
    assert groups["manager"]["note"] == (
        "Fewer than 5 answers from the group “Manager”: withheld to protect anonymity."
    )
    # Withholding managers alone would let anyone subtract clinicians from the total.
    assert groups["clinician"]["withheld"]
    html = (
        client_for(alice)
        .get(reverse("consultations:consultation_results", args=[org.slug, consultation.uuid]))
        .content.decode()
    )
    assert "Fewer than 5 answers from the group “Manager”" in html
    assert "data:image/svg+xml;base64," in html and "<table>" in html


def test_free_text_is_listed_in_alphabetical_order(consultation):
    for text in ["zebra crossing", "Apple", "middle"]:
        add_response(consultation, {"help": text})
    consultation.min_group_size = 3
    texts = by_key(consultation_results(consultation), "help")["overall"]["texts"]
    assert texts == ["Apple", "middle", "zebra crossing"]


def test_ranking_shows_average_places(org, alice):
    ranking = {
        "key": "order",
        "kind": "ranking",
        "text": "Rank these",
        "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
    }
    consultation = make_consultation_asking(org, alice, [ranking], min_group_size=2)
    add_response(consultation, {"order": ["a", "b"]})
    add_response(consultation, {"order": ["a", "b"]})
    add_response(consultation, {"order": ["b", "a"]})
    rows = by_key(consultation_results(consultation), "order")["overall"]["ranking"]
    assert [(r["value"], round(r["mean_rank"], 2), r["first"]) for r in rows] == [("a", 1.33, 2), ("b", 1.67, 1)]


def test_members_and_viewers_see_results_and_outsiders_get_404(
    client, client_for, org, bob, dave, mallory, consultation
):
    url = reverse("consultations:consultation_results", args=[org.slug, consultation.uuid])
    assert client_for(dave).get(url).status_code == 200
    assert client_for(bob).get(url).status_code == 200
    assert client_for(mallory).get(url).status_code == 404
    assert (
        client_for(mallory)
        .get(reverse("consultations:consultation_results", args=["elsewhere-clinic", consultation.uuid]))
        .status_code
        == 404
    )


def test_an_empty_consultation_says_so(client_for, alice, org, consultation):
    html = (
        client_for(alice)
        .get(reverse("consultations:consultation_results", args=[org.slug, consultation.uuid]))
        .content.decode()
    )
    assert "No responses yet" in html


# --- Axes and intervals that fit the scale (issue 10) ----------------------------------------------

def _svg_texts(data_uri):
    import base64
    import re

    svg = base64.b64decode(data_uri.split(",", 1)[1]).decode()
    # The x axis's tick labels: the bars' own labels are anchored at their end, left of the axis.
    return re.findall(r'<text text-anchor="(?:start|middle|end)" transform="translate\([\d.]+,[\d.]+\)">([^<]*)</text>',
                      svg.split('class="role-axis-label"', 1)[1].split("</g>", 1)[0])


def test_answer_counts_are_drawn_on_a_whole_number_axis(org, alice):
    consultation = make_consultation_asking(org, alice, [LIKERT], min_group_size=1)
    add_response(consultation, {"time": 5})
    add_response(consultation, {"time": 5})
    add_response(consultation, {"time": 4})
    texts = _svg_texts(by_key(consultation_results(consultation), "time")["overall"]["chart"])
    assert texts == ["0", "1", "2"]


def test_an_interval_running_past_the_scale_is_cut_at_its_end_and_says_so(client_for, org, alice):
    consultation = make_consultation_asking(org, alice, [LIKERT], min_group_size=1)
    for value in (5, 5, 4):  # mean 4.67; the t interval would reach about 6.1 on a 1–5 scale
        add_response(consultation, {"time": value})
    summary = by_key(consultation_results(consultation), "time")["overall"]["summary"]
    assert summary["ci_high"] == 5 and summary["ci_clipped"] and 1 <= summary["ci_low"] < summary["mean"]
    page = client_for(alice).get(reverse("consultations:consultation_results", args=[org.slug, consultation.uuid]))
    html = page.content.decode()
    assert f"{summary['ci_low']:.2f} – 5.00, <em>cut at the end of the scale</em>" in html
    assert "6.1" not in html


def test_an_interval_inside_the_scale_is_left_alone():
    from tailorkit.consultations import stats

    inside = stats.summary([2, 3, 4, 3], low=1, high=5)
    assert not inside["ci_clipped"] and inside["ci_low"] > 1 and inside["ci_high"] < 5
    assert stats.summary([2, 3, 4, 3]) == {**inside}  # no bounds given: the same numbers
    free = stats.summary([1, 1, 2], low=None, high=None)
    assert free["ci_low"] < 0 and not free["ci_clipped"]
