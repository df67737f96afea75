"""Success criteria tied to a measure (issue 13, point 4): chosen in step 3, judged from the data,
shown with their chart in steps 3 and 4, and proposed in the step 4 review."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tailorkit.measures import periods, verdicts
from tailorkit.measures.models import Measure
from tailorkit.measures.services.measures import measure_delete
from tailorkit.measures.tests.factories import make_measure
from tailorkit.projects.models import Iteration, Judgement, Review, SuccessCriterion
from tailorkit.projects.selectors.measures import judge_criteria, strategy_starts, verdict_of
from tailorkit.projects.services import planning
from tailorkit.projects.services import review as reviewing

from .factories import url

TODAY = timezone.localdate()
# Two years of monthly values up to last month: about 40 % for a year, then about 70 % once the
# strategy started a year ago.
FIRST = periods.start_of("month", TODAY.replace(day=1) - datetime.timedelta(days=700))
BEFORE = [40, 42, 39, 41, 38, 40, 43, 41, 39, 40, 42, 41]
AFTER = [66, 70, 72, 69, 71, 73, 70, 72, 74, 71, 73, 72]


def strategy_chosen_on(iteration, day):
    """Date the iteration's history so that its strategy was chosen on ``day``."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    Iteration.history.filter(id=iteration.pk).update(history_date=moment)
    Iteration.objects.filter(pk=iteration.pk).update(started_at=moment)


def start_of_after():
    points = list(periods.between("month", FIRST, TODAY))
    return points[len(BEFORE)]


@pytest.fixture
def measure(org, alice):
    n = len(BEFORE) + len(AFTER)
    return make_measure(org, alice, name="Patients offered iCBT", kind=Measure.Kind.PROPORTION, first=FIRST,
                        values=BEFORE + AFTER, denominators=[100] * n)


@pytest.fixture
def tied(alice, iteration, measure):
    strategy_chosen_on(iteration, start_of_after())
    return planning.criterion_create(iteration=iteration, user=alice, description="Most patients offered iCBT",
                                     measure=measure, direction=verdicts.AT_LEAST, target_value=60,
                                     target_date=TODAY + datetime.timedelta(days=90))


def criterion_post(measure, **extra):
    return {"description": "Offered iCBT", "measure": measure.pk if measure else "", "direction": "at_least",
            "target_value": "60", "target_unit": "", "target_date": "", **extra}


# --- step 3: the form ----------------------------------------------------------------------------------


def test_it_ties_a_criterion_to_a_measure_through_the_form(client_for, alice, project, iteration, measure):
    response = client_for(alice).post(url("projects:project_criterion_create", project, iteration=1),
                                      criterion_post(measure))
    assert response.status_code == 302
    criterion = SuccessCriterion.objects.get(iteration=iteration)
    assert (criterion.measure, criterion.direction, criterion.target_unit) == (measure, "at_least", "%")


def test_it_offers_only_the_organisations_measures(client_for, alice, mallory, project, iteration, measure):
    theirs = make_measure(mallory.memberships.get().organisation, mallory, name="Their secret measure")
    page = client_for(alice).get(url("projects:project_step_plan", project)).content.decode()
    assert "Patients offered iCBT" in page and "Their secret measure" not in page
    response = client_for(alice).post(url("projects:project_criterion_create", project, iteration=1),
                                      criterion_post(theirs))
    assert response.status_code == 200
    assert "Choose one of your organisation" in response.content.decode()
    assert not SuccessCriterion.objects.filter(iteration=iteration).exists()


def test_the_service_refuses_a_measure_of_another_organisation(alice, mallory, iteration):
    theirs = make_measure(mallory.memberships.get().organisation, mallory)
    with pytest.raises(ValidationError) as exc:
        planning.criterion_create(iteration=iteration, user=alice, description="x", measure=theirs)
    assert "measure" in exc.value.message_dict


def test_it_says_the_target_of_a_proportion_is_in_per_cent(client_for, alice, project, iteration, measure):
    page = client_for(alice).get(url("projects:project_step_plan", project)).content.decode()
    assert "for a proportion, in per cent" in page
    response = client_for(alice).post(url("projects:project_criterion_create", project, iteration=1),
                                      criterion_post(measure, target_value="0.6", direction="at_least") | {
                                          "target_value": "160"})
    assert "in per cent, from 0 to 100" in response.content.decode()


def test_a_stale_edit_of_a_tied_criterion_shows_the_conflict(client_for, alice, bob, project, tied, measure):
    other = make_measure(project.organisation, alice, name="Referrals")
    planning.criterion_update(criterion=tied, user=bob, version=tied.version, description="Bob's words",
                              measure=other, target_value=tied.target_value)
    response = client_for(alice).post(url("projects:project_criterion_edit", project, tied.pk),
                                      criterion_post(measure, version=tied.version))
    assert "Someone else saved this" in response.content.decode()
    tied.refresh_from_db()
    assert (tied.description, tied.measure) == ("Bob's words", other)


def test_an_update_that_leaves_out_the_measure_keeps_it(alice, tied, measure):
    """The API's PATCH sends only the fields it changes."""
    kept = planning.criterion_update(criterion=tied, user=alice, version=tied.version, description="Reworded",
                                     target_value=tied.target_value, target_date=tied.target_date)
    assert (kept.measure_id, kept.direction) == (measure.pk, "at_least")


def test_deleting_the_measure_unties_the_criterion_and_keeps_it(alice, tied, measure):
    measure_delete(measure=measure, actor=alice)
    tied.refresh_from_db()
    assert tied.measure is None and tied.description == "Most patients offered iCBT"


# --- the verdict ------------------------------------------------------------------------------------------


def test_the_verdict_is_met_when_the_data_reach_the_target_after_the_strategy(tied):
    verdict = verdict_of(tied)
    assert verdict.status == verdicts.MET
    assert verdict.improvement_since_start is True
    assert verdict.reasons


def test_the_verdict_is_not_met_when_the_date_passed_below_target(alice, tied):
    SuccessCriterion.objects.filter(pk=tied.pk).update(target_value=95, target_date=TODAY - datetime.timedelta(days=1))
    tied.refresh_from_db()
    assert verdict_of(tied).status in (verdicts.NOT_MET, verdicts.UNCLEAR)
    assert verdict_of(tied).status != verdicts.MET


def test_there_is_no_verdict_without_a_measure_or_a_target(alice, iteration, measure):
    plain = planning.criterion_create(iteration=iteration, user=alice, description="Happier GPs")
    untargeted = planning.criterion_create(iteration=iteration, user=alice, description="x", measure=measure)
    assert verdict_of(plain) is None and verdict_of(untargeted) is None


def test_the_strategy_start_is_when_it_was_chosen(tied, iteration):
    assert strategy_starts([iteration]) == {iteration.pk: start_of_after()}


def test_an_iteration_without_a_strategy_has_no_start(project):
    first = project.iterations.get()
    assert strategy_starts([first]) == {first.pk: None}


def test_going_back_to_the_plan_keeps_the_strategys_start(alice, project, tied, iteration):
    _decision, new = reviewing.decision_record(iteration=iteration, user=alice, kind="back_plan", reason="Tweak")
    assert strategy_starts([new]) == {new.pk: start_of_after()}


def test_verdicts_are_read_in_a_fixed_number_of_queries(alice, iteration, measure, django_assert_max_num_queries):
    other = make_measure(iteration.organisation, alice, name="Referrals", values=[5, 6, 7])
    for i in range(6):
        planning.criterion_create(iteration=iteration, user=alice, description=f"c{i}", target_value=50 + i,
                                  measure=measure if i % 2 else other)
    criteria = list(SuccessCriterion.objects.filter(iteration=iteration))
    with django_assert_max_num_queries(5):
        found = judge_criteria(criteria)
    assert len(found) == 6


# --- steps 3 and 4 show it ------------------------------------------------------------------------------


def test_step_3_shows_the_verdict_its_reasons_and_the_chart(client_for, dave, project, tied):
    page = client_for(dave).get(url("projects:project_step_plan", project)).content.decode()
    assert "What the data say" in page and 'class="verdict verdict-met"' in page
    assert verdict_of(tied).reasons[0].split(",")[0] in page
    assert "data:image/svg+xml" in page and "The chart's numbers" in page
    assert f'href="/o/{project.organisation.slug}/measures/{tied.measure_id}/"' in page


def test_step_4_shows_the_verdict_and_prefills_the_review(client_for, alice, project, tied):
    page = client_for(alice).get(url("projects:project_step_review", project)).content.decode()
    assert "data:image/svg+xml" in page
    assert f'name="verdict_{tied.pk}" value="met"' in page
    checked = page.split(f'name="verdict_{tied.pk}" value="met"')[1].split(">")[0]
    assert "checked" in checked
    assert "The data of “Patients offered iCBT” suggest" in page


def review_post(criterion, verdict, evidence):
    return {"review_date": TODAY.isoformat(), "what_was_done": "Letters to GPs", "evidence": "",
            f"verdict_{criterion.pk}": verdict, f"evidence_{criterion.pk}": evidence}


def test_accepting_the_proposal_stores_it_with_its_reasoning(client_for, alice, project, tied):
    reasoning = " ".join(verdict_of(tied).reasons)
    response = client_for(alice).post(url("projects:project_review_create", project, iteration=1),
                                      review_post(tied, "met", reasoning))
    assert response.status_code == 302
    judgement = Judgement.objects.get(criterion=tied)
    assert (judgement.verdict, judgement.proposed) == ("met", "met")
    page = client_for(alice).get(url("projects:project_step_review", project)).content.decode()
    assert "as the data suggested" in page


def test_a_different_judgement_needs_a_reason(client_for, alice, project, tied):
    reasoning = " ".join(verdict_of(tied).reasons)
    client = client_for(alice)
    refused = client.post(url("projects:project_review_create", project, iteration=1),
                          review_post(tied, "unclear", reasoning))
    assert refused.status_code == 200 and "Say why the team judges it differently" in refused.content.decode()
    assert not Review.objects.exists()
    client.post(url("projects:project_review_create", project, iteration=1),
                review_post(tied, "unclear", "The audit changed how offers are counted in March"))
    judgement = Judgement.objects.get(criterion=tied)
    assert (judgement.verdict, judgement.proposed) == ("unclear", "met")
    page = client.get(url("projects:project_step_review", project)).content.decode()
    assert "The data suggested “Met”; the team judged “Unclear” because:" in page


def test_the_service_refuses_a_different_judgement_without_a_reason(alice, iteration, tied):
    with pytest.raises(ValidationError):
        reviewing.review_create(iteration=iteration, user=alice, review_date=TODAY, what_was_done="x",
                                judgements=[{"criterion": tied, "verdict": "not_met", "proposed": "met"}])


def test_not_yet_is_a_judgement_the_team_can_record(alice, iteration, tied):
    review = reviewing.review_create(iteration=iteration, user=alice, review_date=TODAY, what_was_done="x",
                                     judgements=[{"criterion": tied, "verdict": "not_yet",
                                                  "evidence": "Half way there"}])
    assert review.judgements.get().get_verdict_display() == "Not yet"


def test_an_edit_without_a_proposal_keeps_the_stored_one(alice, iteration, tied):
    review = reviewing.review_create(iteration=iteration, user=alice, review_date=TODAY, what_was_done="x",
                                     judgements=[{"criterion": tied, "verdict": "met", "proposed": "met"}])
    reviewing.review_update(review=review, user=alice, version=review.version, review_date=TODAY,
                            what_was_done="y", judgements=[{"criterion": tied, "verdict": "met", "evidence": "ok"}])
    assert Judgement.objects.get(criterion=tied).proposed == "met"
