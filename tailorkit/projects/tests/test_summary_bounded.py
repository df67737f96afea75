"""The summary is bounded (issue 11): the same queries for any number of rows, the current iteration in
full but long lists cut short with how many more there are and where they are, and the stakeholders'
results read for all the project's consultations at once, through the same anonymity rule."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tailorkit.consultations.models import ConsultationTemplate as T
from tailorkit.consultations.services import delivery
from tailorkit.consultations.tests.factories import add_response
from tailorkit.projects import stakeholders
from tailorkit.projects.models import Decision, StrategyOption, SuccessCriterion, Task
from tailorkit.projects.selectors import summary as summary_reads
from tailorkit.projects.services import review

from .test_records_transfer import build_full_project


def _summary(client, project):
    return client.get(reverse("projects:project_summary", args=[project.organisation.slug, project.pk])
                      ).content.decode()


def _queries(client, project):
    """The summary's queries, once the charts it draws are in their cache (the first view stores them)."""
    _summary(client, project)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("projects:project_summary", args=[project.organisation.slug, project.pk])
                          ).status_code == 200
    return len(captured.captured_queries)


def _consulted(project, alice, n=1):
    """A strategy appraisal with one invitation sent (else a second one, a double click, is not made)."""
    consultation = stakeholders.consultation_from_step(project=project, iteration=project.current_iteration,
                                                       template=T.STRATEGY_APPRAISAL, user=alice)
    delivery.invitations_send(consultation=consultation, actor=alice, text=f"person{n}@example.org")
    return consultation


def _appraisal(project, alice, comments):
    """A strategy appraisal answered by five people about the project's letter template; ``comments``
    of them commented."""
    consultation = _consulted(project, alice)
    option = StrategyOption.objects.get(project=project, custom_name="Referral letter template")
    for i in range(max(5, comments)):
        answers = {f"option-{option.pk}__acceptability": 4}
        if i < comments:
            answers[f"option-{option.pk}__comment"] = f"Comment number {i:02d}"
        add_response(consultation, answers)
    return consultation


@pytest.fixture
def full(project, alice, bob):
    return build_full_project(project, alice, bob)


def test_more_consultations_answered_cost_no_more_queries(client_for, alice, project, full):
    client = client_for(alice)
    _appraisal(project, alice, comments=6)  # comments shown: their read is counted from the start
    one = _queries(client, project)
    for comments in (0, 6, 7):
        _appraisal(project, alice, comments=comments)
    assert _queries(client, project) == one


def test_the_current_iteration_lists_are_cut_short_with_a_count_and_a_link(client_for, alice, bob, org, project,
                                                                           full):
    iteration = project.current_iteration
    n_tasks = Task.objects.filter(iteration=iteration).count()
    for i in range(summary_reads.ROWS_SHOWN + 5 - n_tasks):
        Task.objects.create(organisation=org, project=project, iteration=iteration, title=f"Extra task {i}",
                            owner=bob)
    for i in range(summary_reads.ROWS_SHOWN + 1):
        SuccessCriterion.objects.create(organisation=org, project=project, iteration=iteration,
                                        description=f"Extra criterion {i}")
    client = client_for(alice)
    before = _queries(client, project)
    html = _summary(client, project)
    n_criteria = SuccessCriterion.objects.filter(iteration=iteration).count()
    assert f"The first 20 of {summary_reads.ROWS_SHOWN + 5} tasks." in html
    assert f"The first 20 of {n_criteria} success criteria." in html
    plan = reverse("projects:project_step_plan", args=[org.slug, project.pk])
    assert html.count(f'href="{plan}"') >= 2
    assert html.count("Extra task") <= summary_reads.ROWS_SHOWN
    for i in range(100):
        Task.objects.create(organisation=org, project=project, iteration=iteration, title=f"More {i}", owner=bob)
    assert _queries(client, project) == before


def test_a_project_that_went_round_many_times_lists_the_newest_earlier_iterations(client_for, alice, org, project,
                                                                                  full):
    client = client_for(alice)
    for i in range(summary_reads.EARLIER_SHOWN + 3):
        review.decision_record(iteration=project.current_iteration, user=alice, kind=Decision.Kind.BACK_GOALS,
                               reason=f"Round {i:02d}")
    project.refresh_from_db()
    html = _summary(client, project)
    earlier = html.split("<h2>Earlier iterations</h2>")[1]
    n_earlier = project.iterations.count() - 1
    assert f"{n_earlier - summary_reads.EARLIER_SHOWN} earlier iterations are not listed here." in earlier
    assert reverse("projects:project_timeline", args=[org.slug, project.pk]) in earlier
    assert earlier.count("<li>") == summary_reads.EARLIER_SHOWN
    # The newest first: the latest step back is listed, the first rounds are not.
    assert f"Round {summary_reads.EARLIER_SHOWN + 1:02d}" in earlier and "Round 00" not in earlier
    queries = _queries(client, project)
    for i in range(5):
        review.decision_record(iteration=project.current_iteration, user=alice, kind=Decision.Kind.BACK_GOALS,
                               reason=f"Later {i}")
    project.refresh_from_db()
    assert _queries(client, project) == queries


def test_comments_are_previewed_with_a_link_to_the_results_page(client_for, alice, org, project, full):
    consultation = _appraisal(project, alice, comments=summary_reads.TEXTS_SHOWN + 2)
    html = _summary(client_for(alice), project)
    shown = [f"Comment number {i:02d}" in html for i in range(summary_reads.TEXTS_SHOWN + 2)]
    assert shown == [True] * summary_reads.TEXTS_SHOWN + [False, False]  # alphabetical: the first ten
    assert "More comments are on the results page." in html
    assert reverse("consultations:consultation_results", args=[org.slug, consultation.uuid]) in html


def test_only_the_newest_consultations_are_reported_with_how_many_more(client_for, alice, project, full):
    made = [_consulted(project, alice, n) for n in range(summary_reads.CONSULTATIONS_SHOWN + 2)]
    entries, n_more = summary_reads.stakeholder_results(project)
    assert n_more == 2
    assert [e["consultation"] for e in entries] == made[2:]  # the newest, oldest first
    html = _summary(client_for(alice), project)
    assert "2 earlier consultations of this project are not shown here." in html


def test_a_withheld_figure_stays_withheld_when_read_with_other_consultations(alice, project, full):
    """Batched reads must not mix consultations: a question answered by four people in one consultation
    is withheld even when another consultation's identical question has enough answers."""
    few = _appraisal(project, alice, comments=0)
    enough = _appraisal(project, alice, comments=0)
    few.responses.order_by("pk").first().delete()  # four answers left: fewer than five
    entries, _n_more = summary_reads.stakeholder_results(project)
    by_consultation = {e["consultation"].pk: e for e in entries}
    assert by_consultation[few.pk]["withheld"] and not by_consultation[few.pk]["options"]
    row = next(r for r in by_consultation[enough.pk]["options"] if r.name == "Referral letter template")
    assert row.figure("acceptability").mean == 4 and not row.figure("acceptability").withheld
