import io
import re
from decimal import Decimal
from functools import partial

import pytest
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from tailorkit.consultations.models import ConsultationTemplate as T
from tailorkit.consultations.services import delivery
from tailorkit.consultations.tests.factories import add_response
from tailorkit.core.models import AuditEvent
from tailorkit.projects import stakeholders
from tailorkit.projects.models import APEASE, Goal, StrategyOption, SuccessCriterion, Task

from .test_records_transfer import build_full_project


def test_the_summary_shows_goal_barrier_strategy_plan_and_decisions(client_for, alice, bob, dave, project, org):
    build_full_project(project, alice, bob)
    html = client_for(dave).get(reverse("projects:project_summary", args=[org.slug, project.pk])).content.decode()
    for text in (
        "Twice as many referrals",
        "Referral letter template",
        "Draft the letter",
        "Letter used by 5 practices",
        "Earlier iterations",
        "Training was not enough",
    ):
        assert text in html, text
    assert "GPs are &lt;b&gt;busy&lt;/b&gt;" in html


def test_the_summary_pdf_contains_the_project_and_its_strategy(client_for, alice, bob, project, org):
    build_full_project(project, alice, bob)
    response = client_for(bob).get(reverse("projects:project_summary_pdf", args=[org.slug, project.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert project.name in text and "Referral letter template" in text
    assert AuditEvent.objects.filter(action="project.exported", actor=bob, details__format="pdf").exists()


def test_the_summary_query_count_does_not_grow_with_rows(
    client_for, alice, bob, project, org, django_assert_max_num_queries
):
    build_full_project(project, alice, bob)
    client = client_for(alice)
    url = reverse("projects:project_summary", args=[org.slug, project.pk])
    # 43: the combined ranking of the focused barriers (issue 12) reads crosswalks, links and
    # strategies, three queries whatever the number of barriers.
    with django_assert_max_num_queries(43) as small:
        client.get(url)
    iteration = project.current_iteration
    for i in range(20):
        Task.objects.create(organisation=org, project=project, iteration=iteration, title=f"T{i}", owner=bob)
        Goal.objects.create(organisation=org, project=project, target_group="x", end_goal=f"G{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_an_outsider_gets_404_on_the_outputs(client_for, mallory, project, org):
    client = client_for(mallory)
    for name in (
        "projects:project_summary",
        "projects:project_summary_pdf",
        "projects:project_export",
        "projects:project_timeline",
        "projects:project_effort",
    ):
        assert client.get(reverse(name, args=[org.slug, project.pk])).status_code == 404, name


# --- What stakeholders said, and the charts (issue 10) ----------------------------------------------


def _pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _answered_consultations(project, alice):
    """A barrier prioritisation answered by six people (the second barrier rated by two only) and a
    strategy appraisal answered by five, two of whom commented; the minimum group size is 5."""
    iteration = project.current_iteration
    make = partial(stakeholders.consultation_from_step, project=project, iteration=iteration, user=alice)
    first, second = project.barriers.order_by("pk")[:2]
    prioritisation = make(template=T.BARRIER_PRIORITISATION)
    delivery.invitations_send(consultation=prioritisation, actor=alice,
                              text="\n".join(f"person{i}@example.org" for i in range(7)))
    for i, (importance, changeability) in enumerate([(5, 2), (4, 3), (4, 3), (5, 2), (3, 2), (4, 2)]):
        answers = {f"barrier-{first.pk}__importance": importance, f"barrier-{first.pk}__changeability": changeability}
        if i < 2:
            answers |= {f"barrier-{second.pk}__importance": 1, f"barrier-{second.pk}__changeability": 1}
        add_response(prioritisation, answers)
    appraisal = make(template=T.STRATEGY_APPRAISAL)
    option = StrategyOption.objects.get(project=project, custom_name="Referral letter template")
    for i in range(5):
        # Acceptability 5, 5, 4, 4, 4: a mean of 4.4; the other criteria 4.
        answers = {f"option-{option.pk}__{c}": 4 for c in APEASE} | {f"option-{option.pk}__acceptability": 4 + (i < 2)}
        if i < 2:
            answers[f"option-{option.pk}__comment"] = f"A lone comment {i}"
        add_response(appraisal, answers)
    return prioritisation, appraisal, first, second


@pytest.fixture
def consulted(project, alice, bob):
    build_full_project(project, alice, bob)
    # The barrier-prioritisation consultation asks about the project's barriers; the strategy appraisal
    # about the candidates of the focused barrier.
    return _answered_consultations(project, alice)


def test_the_summary_and_its_pdf_say_what_stakeholders_said(client_for, dave, project, org, consulted):
    prioritisation, appraisal, first, second = consulted
    url = reverse("projects:project_summary", args=[org.slug, project.pk])
    html = client_for(dave).get(url).content.decode()
    pdf = _pdf_text(client_for(dave).get(reverse("projects:project_summary_pdf", args=[org.slug, project.pk])))
    means = stakeholders.stakeholder_barrier_figures(project)["values"][first.pk]
    assert (round(means[0], 2), round(means[1], 2)) == (4.17, 2.33)  # the step pages' own figures
    for text in ("What stakeholders said", "Which barriers matter most?", "Which strategy should we choose?",
                 "7 people invited", "6 people answered", "5 people answered", "4.2", "2.3", "4.4", "Acceptability"):
        assert text in html, text
        assert text in pdf, text
    assert escape(first.name) in html and "Identify goals and barriers" in html
    # The second barrier was rated by two people: withheld, with the reason, and its mean (1) nowhere.
    row = re.search(r"<tr><th scope=\"row\">No referral pathway</th>(.*?)</tr>", html.split("What stakeholders")[1])
    assert row and row.group(1).count(">withheld<") == 2 and ">1<" not in row.group(1)
    assert "fewer than 5 people answered this question" in html and "fewer than 5 people answered" in pdf
    # Two comments are fewer than five: not shown, as on the results page.
    results_page = client_for(dave).get(reverse("consultations:consultation_results",
                                                args=[org.slug, appraisal.uuid])).content.decode()
    assert "A lone comment" not in results_page
    assert "A lone comment" not in html and "A lone comment" not in pdf


def test_comments_appear_in_the_summary_where_the_results_page_shows_them(client_for, alice, project, org,
                                                                           consulted):
    _prioritisation, appraisal, _first, _second = consulted
    option = StrategyOption.objects.get(project=project, custom_name="Referral letter template")
    for i in range(3):
        add_response(appraisal, {f"option-{option.pk}__comment": f"Shared view {i}"})
    html = client_for(alice).get(reverse("projects:project_summary", args=[org.slug, project.pk])).content.decode()
    assert "Comments on “Referral letter template”" in html
    assert all(f"A lone comment {i}" in html for i in range(2)) and "Shared view 2" in html


def test_the_summary_and_its_pdf_carry_the_charts_with_their_tables(client_for, bob, project, org, consulted):
    html = client_for(bob).get(reverse("projects:project_summary", args=[org.slug, project.pk])).content.decode()
    # The prioritisation matrix, one chart per answered consultation, and the effort chart.
    assert html.count('<img src="data:image/svg+xml;base64,') == 4
    for caption in ("Prioritisation matrix.", "The stakeholders' mean answers.", "Hours spent in each step."):
        assert caption in html, caption
    assert "The team's mean ratings, from 1 (lowest) to 5 (highest)" in html and "Hours logged by step" in html
    response = client_for(bob).get(reverse("projects:project_summary_pdf", args=[org.slug, project.pk]))
    pdf = _pdf_text(response)
    # Text that only the charts carry: the axis titles drawn inside the SVG pictures.
    assert "Stakeholders' mean (1 = lowest, 5 = highest)" in pdf
    assert "How easy it is to change" in pdf and "APEASE criterion" in pdf
    pages = PdfReader(io.BytesIO(response.content)).pages
    for page in pages:  # every page A4
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_a_summary_without_consultations_or_ratings_says_so_without_charts(client_for, alice, project, org):
    html = client_for(alice).get(reverse("projects:project_summary", args=[org.slug, project.pk])).content.decode()
    assert "No stakeholders have been consulted in this project yet." in html
    assert "data:image/svg+xml" not in html


def test_the_summary_counts_and_numbers_read_naturally(client_for, alice, bob, project, org):
    build_full_project(project, alice, bob)
    iteration = project.current_iteration
    SuccessCriterion.objects.create(organisation=org, project=project, iteration=iteration,
                                    description="Referrals", target_value=Decimal("40.00"), target_unit="a month")
    html = client_for(alice).get(reverse("projects:project_summary", args=[org.slug, project.pk])).content.decode()
    assert "target 40 a month" in html and "40.00" not in html
    assert "<h2>Goals</h2>" in html and "<h2>Focused barrier</h2>" in html
    Goal.objects.filter(project=project).exclude(end_goal__startswith="Twice").delete()
    html = client_for(alice).get(reverse("projects:project_summary", args=[org.slug, project.pk])).content.decode()
    assert "<h2>Goal</h2>" in html


def test_the_pdf_draws_each_chart_once(client_for, bob, project, org, consulted, monkeypatch):
    from tailorkit.core import charts as core_charts

    calls = []
    real = core_charts.draw
    monkeypatch.setattr(core_charts, "_local", type(core_charts._local)())  # none kept from earlier tests
    monkeypatch.setattr(core_charts, "draw", lambda kind, make: calls.append(kind) or real(kind, make))
    client_for(bob).get(reverse("projects:project_summary_pdf", args=[org.slug, project.pk]))
    assert len(calls) == 4
