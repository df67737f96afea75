"""The overview of measures flags a success criterion tied to a measure whose date has passed and
that no review has judged (issue 13; the source is registered from projects: measures/attention.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tailorkit.measures import attention
from tailorkit.measures.tests.factories import make_measure
from tailorkit.projects.measure_attention import criteria_past_due
from tailorkit.projects.models import SuccessCriterion
from tailorkit.projects.services import planning, review


def _criterion(iteration, alice, measure):
    criterion = planning.criterion_create(iteration=iteration, user=alice, description="At least 60 % offered iCBT",
                                          target_value=60, measure=measure,
                                          target_date=timezone.localdate() + timedelta(days=30))
    SuccessCriterion.objects.filter(pk=criterion.pk).update(target_date=timezone.localdate() - timedelta(days=3))
    return criterion


def test_the_source_is_registered_when_the_app_starts():
    assert criteria_past_due in attention._sources


def test_the_overview_flags_a_criterion_whose_date_passed_with_a_link_to_the_review(
        client_for, alice, org, project, iteration):
    measure = make_measure(org, alice, name="Offered iCBT", values=[40, 45, 50])
    _criterion(iteration, alice, measure)
    html = client_for(alice).get(reverse("measures:measure_overview", args=[org.slug]) + "?show=attention").content
    html = html.decode()
    assert "The date of “At least 60 % offered iCBT”" in html and project.name in html
    assert f'href="{reverse("projects:project_step_review", args=[org.slug, project.pk])}"' in html


def test_a_criterion_judged_in_a_review_or_not_yet_due_is_not_flagged(alice, org, project, iteration):
    measure = make_measure(org, alice, name="Offered iCBT", values=[40, 45, 50])
    later = planning.criterion_create(iteration=iteration, user=alice, description="Later", target_value=60,
                                      measure=measure, target_date=timezone.localdate() + timedelta(days=30))
    judged = _criterion(iteration, alice, measure)
    today = timezone.localdate()
    assert [a.measure_id for a in criteria_past_due(org, [measure], today=today)] == [measure.pk]
    review.review_create(iteration=iteration, user=alice, review_date=today, what_was_done="Champions started",
                         judgements=[{"criterion": judged, "verdict": "not_met", "evidence": "42 %"}])
    assert list(criteria_past_due(org, [measure], today=today)) == []
    assert later.target_date >= today
