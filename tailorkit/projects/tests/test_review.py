"""Step 4 – apply and review, decisions and iterations (issue 3, point 6)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tailorkit.core.locking import StaleEdit
from tailorkit.projects.models import (
    Decision,
    Focus,
    Iteration,
    Judgement,
    Review,
    Specification,
    Step,
    SuccessCriterion,
    Task,
)
from tailorkit.projects.services import planning
from tailorkit.projects.services import review as reviewing

from .factories import add_criteria, add_tasks, current, url

TODAY = timezone.localdate().isoformat()


def page(client, project, **kw):
    return client.get(url("projects:project_step_review", project, **kw)).content.decode()


def review_post(criteria, **extra):
    data = {"review_date": TODAY, "what_was_done": "Sent letters to 12 GPs", "evidence": "Referral log"}
    for c in criteria:
        data[f"verdict_{c.pk}"] = ""
        data[f"evidence_{c.pk}"] = ""
    return {**data, **extra}


# --- Reviews -----------------------------------------------------------------------------------------


def test_a_review_is_recorded_with_a_judgement_per_criterion(client_for, bob, project, iteration):
    c1, c2 = add_criteria(iteration, 2)
    client = client_for(bob)
    html = page(client, project)
    assert "Criterion 0" in html and f'name="verdict_{c1.pk}"' in html and "Record a review" in html
    response = client.post(
        url("projects:project_review_create", project, iteration=1),
        review_post(
            [c1, c2], **{f"verdict_{c1.pk}": "met", f"evidence_{c1.pk}": "31 referrals", f"verdict_{c2.pk}": "unclear"}
        ),
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.iteration, review.created_by, review.what_was_done) == (iteration, bob, "Sent letters to 12 GPs")
    assert {(j.criterion, j.verdict, j.evidence) for j in review.judgements.all()} == {
        (c1, "met", "31 referrals"),
        (c2, "unclear", ""),
    }
    html = page(client, project)
    assert "31 referrals" in html and "Unclear" in html and "recorded by Bob Member" in html


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"what_was_done": "   "}, "what_was_done"),
        ({"evidence": "x" * 4001}, "evidence"),
        ({"review_date": "2999-01-01"}, "review_date"),
        ({"review_date": ""}, "review_date"),
    ],
)
def test_a_bad_review_is_refused_at_the_field(client_for, alice, project, iteration, changes, field):
    html = (
        client_for(alice)
        .post(url("projects:project_review_create", project, iteration=1), review_post([], **changes))
        .content.decode()
    )
    assert f'id="id_{field}_error"' in html
    assert not Review.objects.exists()


def test_a_review_date_before_the_project_started_is_refused(alice, project, iteration):
    with pytest.raises(ValidationError) as exc:
        reviewing.review_create(
            iteration=iteration, user=alice, review_date=project.started_on - datetime.timedelta(1), what_was_done="X"
        )
    assert "review_date" in exc.value.message_dict


def test_a_judgement_for_a_criterion_of_another_iteration_is_refused(alice, project, iteration):
    own = add_criteria(iteration, 1)[0]
    reviewing.decision_record(iteration=iteration, user=alice, kind="back_plan", reason="Sharpen the plan")
    new = current(project)
    with pytest.raises(ValidationError) as exc:
        reviewing.review_create(
            iteration=new,
            user=alice,
            review_date=timezone.localdate(),
            what_was_done="X",
            judgements=[{"criterion": own, "verdict": "met"}],
        )
    assert "not part of this iteration" in str(exc.value)
    assert not Review.objects.exists()


def test_evidence_without_a_verdict_is_refused(client_for, alice, project, iteration):
    c = add_criteria(iteration, 1)[0]
    html = (
        client_for(alice)
        .post(
            url("projects:project_review_create", project, iteration=1),
            review_post([c], **{f"evidence_{c.pk}": "Some numbers"}),
        )
        .content.decode()
    )
    assert "Evidence was given for a criterion without a judgement" in html
    assert not Review.objects.exists()


def test_a_review_and_its_judgements_are_edited(client_for, alice, project, iteration):
    c1, c2 = add_criteria(iteration, 2)
    review = reviewing.review_create(
        iteration=iteration,
        user=alice,
        review_date=timezone.localdate(),
        what_was_done="First",
        judgements=[{"criterion": c1, "verdict": "met"}, {"criterion": c2, "verdict": "not_met"}],
    )
    client = client_for(alice)
    html = client.get(url("projects:project_review_edit", project, review.pk)).content.decode()
    assert "First" in html and 'value="met"' in html
    client.post(
        url("projects:project_review_edit", project, review.pk),
        review_post(
            [c1, c2], what_was_done="Second", version=1, **{f"verdict_{c1.pk}": "unclear", f"verdict_{c2.pk}": ""}
        ),
    )
    review.refresh_from_db()
    assert review.what_was_done == "Second" and review.version == 2
    assert [(j.criterion, j.verdict) for j in review.judgements.all()] == [(c1, "unclear")]


def test_a_stale_review_edit_is_refused_and_shows_both_versions(client_for, alice, bob, project, iteration):
    c = add_criteria(iteration, 1)[0]
    review = reviewing.review_create(
        iteration=iteration, user=alice, review_date=timezone.localdate(), what_was_done="First"
    )
    reviewing.review_update(
        review=review,
        user=alice,
        version=1,
        review_date=review.review_date,
        what_was_done="Alice's account",
        judgements=[{"criterion": c, "verdict": "met"}],
    )
    response = client_for(bob).post(
        url("projects:project_review_edit", project, review.pk),
        review_post([c], what_was_done="Bob's account", version=1, **{f"verdict_{c.pk}": "not_met"}),
    )
    html = response.content.decode()
    assert "Someone else saved this while you were editing" in html
    assert "Alice&#x27;s account" in html and "Bob&#x27;s account" in html and "Not met" in html
    review.refresh_from_db()
    assert review.what_was_done == "Alice's account" and review.judgements.get().verdict == "met"
    with pytest.raises(StaleEdit):
        reviewing.review_update(review=review, user=bob, version=1, review_date=review.review_date, what_was_done="Z")


def test_a_judged_criterion_cannot_be_deleted(alice, iteration):
    c = add_criteria(iteration, 1)[0]
    reviewing.review_create(
        iteration=iteration,
        user=alice,
        review_date=timezone.localdate(),
        what_was_done="X",
        judgements=[{"criterion": c, "verdict": "met"}],
    )
    with pytest.raises(ValidationError):
        planning.criterion_delete(criterion=c, user=alice)
    assert SuccessCriterion.objects.filter(pk=c.pk).exists()


# --- Decisions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(Decision.REASON_REQUIRED))
def test_a_decision_without_its_required_reason_is_refused_at_the_field(client_for, alice, project, iteration, kind):
    html = (
        client_for(alice)
        .post(url("projects:project_decision_create", project, iteration=1), {"kind": kind, "reason": "  "})
        .content.decode()
    )
    assert "needs a reason" in html and 'id="id_reason_error"' in html
    assert not Decision.objects.exists() and Iteration.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        reviewing.decision_record(iteration=iteration, user=alice, kind=kind, reason="")
    assert "reason" in exc.value.message_dict


def test_a_decision_needs_a_known_kind(client_for, alice, project, iteration):
    html = (
        client_for(alice)
        .post(url("projects:project_decision_create", project, iteration=1), {"kind": "give_up", "reason": ""})
        .content.decode()
    )
    assert "Select a valid choice" in html
    assert not Decision.objects.exists()


@pytest.mark.parametrize("kind", ["success", "continue"])
def test_stopping_as_a_success_or_continuing_stays_in_the_iteration(client_for, bob, project, iteration, kind):
    review = reviewing.review_create(iteration=iteration, user=bob, review_date=timezone.localdate(), what_was_done="X")
    client = client_for(bob)
    response = client.post(
        url("projects:project_decision_create", project, iteration=1), {"kind": kind, "review": review.pk}
    )
    assert response["Location"].startswith(url("projects:project_step_review", project))
    decision = Decision.objects.get()
    assert (decision.iteration, decision.review, decision.decided_by) == (iteration, review, bob)
    assert Iteration.objects.count() == 1
    html = page(client, project)
    assert decision.get_kind_display() in html and "Bob Member" in html


def test_decisions_are_listed_with_who_when_and_reason(client_for, alice, project, iteration):
    reviewing.decision_record(iteration=iteration, user=alice, kind="stop_other", reason="Funding ended")
    html = page(client_for(alice), project)
    assert "Stop for another reason" in html and "Funding ended" in html and "Alice Lead" in html


def test_a_decision_cannot_name_a_review_of_another_iteration(alice, project, iteration):
    old_review = reviewing.review_create(
        iteration=iteration, user=alice, review_date=timezone.localdate(), what_was_done="X"
    )
    reviewing.decision_record(iteration=iteration, user=alice, kind="back_plan", reason="R")
    with pytest.raises(ValidationError) as exc:
        reviewing.decision_record(iteration=current(project), user=alice, kind="continue", review=old_review)
    assert "review" in exc.value.message_dict


# --- Going back: new iterations and what carries over ----------------------------------------------------


def back(client, project, kind):
    return client.post(
        url("projects:project_decision_create", project, iteration=current(project).number),
        {"kind": kind, "reason": "Because"},
    )


def test_going_back_to_goals_starts_an_empty_iteration(client_for, alice, project, iteration):
    response = back(client_for(alice), project, "back_goals")
    new = current(project)
    assert (new.number, new.back_to, new.chosen_option) == (2, "goals", None)
    assert not Focus.objects.filter(iteration=new).exists()
    project.refresh_from_db()
    assert project.step == Step.GOALS
    assert response["Location"] == url("projects:project_step_goals", project)


def test_going_back_to_barriers_keeps_the_focused_goal(client_for, alice, project, iteration):
    back(client_for(alice), project, "back_barriers")
    new = current(project)
    focus = list(Focus.objects.filter(iteration=new))
    assert new.back_to == "barriers" and len(focus) == 1 and focus[0].goal_id and not focus[0].barrier_id
    assert new.chosen_option is None
    project.refresh_from_db()
    assert project.step == Step.GOALS


def test_going_back_to_the_strategy_keeps_the_focus_but_no_choice(client_for, alice, project, iteration):
    response = back(client_for(alice), project, "back_strategy")
    new = current(project)
    assert {(f.goal_id is not None, f.barrier_id is not None) for f in Focus.objects.filter(iteration=new)} == {
        (True, False),
        (False, True),
    }
    assert new.chosen_option is None and new.choice_justification == ""
    project.refresh_from_db()
    assert project.step == Step.MATCH
    assert response["Location"] == url("projects:project_step_match", project)


def test_going_back_to_the_plan_copies_the_plan_and_the_open_tasks(client_for, alice, bob, project, iteration):
    planning.spec_save(iteration=iteration, user=alice, version=None,
                       data={"brief_name": "Feedback", "who_provides": "PM"})
    add_criteria(iteration, 2)
    open_task = add_tasks(iteration, 1, owner=bob)[0]
    add_tasks(iteration, 1, status=Task.Status.DONE)
    add_tasks(iteration, 1, status=Task.Status.DROPPED)
    response = back(client_for(alice), project, "back_plan")
    new = current(project)
    assert (new.number, new.back_to, new.chosen_option, new.choice_justification) == (
        2,
        "plan",
        iteration.chosen_option,
        "Cheap and acceptable",
    )
    assert Focus.objects.filter(iteration=new).count() == 2
    spec = Specification.objects.get(iteration=new)
    assert (spec.brief_name, spec.who_provides, spec.version) == ("Feedback", "PM", 1)
    assert [c.description for c in SuccessCriterion.objects.filter(iteration=new)] == ["Criterion 0", "Criterion 1"]
    copied = Task.objects.get(iteration=new)
    assert (copied.title, copied.owner, copied.status) == (open_task.title, bob, "todo") and copied.pk != open_task.pk
    # The earlier iteration keeps its own rows.
    assert Task.objects.filter(iteration=iteration).count() == 3
    assert SuccessCriterion.objects.filter(iteration=iteration).count() == 2
    project.refresh_from_db()
    assert project.step == Step.PLAN
    assert response["Location"] == url("projects:project_step_plan", project)
    html = client_for(alice).get(response["Location"]).content.decode()
    assert "Iteration 2 has started" in html and "2 of 13 filled" in html


def test_iterations_are_numbered_and_earlier_ones_stay_readable(client_for, alice, project, iteration):
    c = add_criteria(iteration, 1)[0]
    review = reviewing.review_create(
        iteration=iteration,
        user=alice,
        review_date=timezone.localdate(),
        what_was_done="Tried letters",
        judgements=[{"criterion": c, "verdict": "not_met"}],
    )
    reviewing.decision_record(iteration=iteration, user=alice, kind="back_strategy", reason="Letters were ignored")
    client = client_for(alice)

    html = page(client, project)
    assert "Iteration 2" in html and "Back to the strategy" in html and 'href="?iteration=1"' in html
    assert "Tried letters" not in html

    html = page(client, project, iteration=1)
    assert "an earlier iteration" in html and "Tried letters" in html and "Not met" in html
    assert "Letters were ignored" in html and "Go back to the strategy" in html
    assert "Record a review" not in html and "Record the decision" not in html

    response = client.post(
        url("projects:project_review_create", project, iteration=1), review_post([], what_was_done="Late"), follow=True
    )
    assert "can be read but no longer changed" in response.content.decode()
    client.post(
        url("projects:project_review_edit", project, review.pk), review_post([c], what_was_done="Rewritten", version=1)
    )
    client.post(url("projects:project_decision_create", project, iteration=1), {"kind": "success"})
    review.refresh_from_db()
    assert review.what_was_done == "Tried letters" and Review.objects.count() == 1
    assert Decision.objects.count() == 1 and Iteration.objects.count() == 2
    with pytest.raises(ValidationError):
        reviewing.decision_record(iteration=iteration, user=alice, kind="success")
    with pytest.raises(ValidationError):
        reviewing.review_update(review=review, user=alice, version=1, review_date=review.review_date, what_was_done="Z")


def test_a_viewer_reads_reviews_but_cannot_record_them(client_for, dave, project, iteration):
    client = client_for(dave)
    html = page(client, project)
    assert "Record a review" not in html and "Record the decision" not in html
    assert client.post(url("projects:project_review_create", project), review_post([])).status_code == 403
    assert client.post(url("projects:project_decision_create", project), {"kind": "success"}).status_code == 403


def test_the_review_page_query_count_does_not_grow(
    client_for, alice, project, iteration, django_assert_max_num_queries
):
    def fill(n):
        criteria = add_criteria(iteration, n)
        for i in range(n):
            r = Review.objects.create(
                organisation=project.organisation,
                project=project,
                iteration=iteration,
                what_was_done=f"Review {i}",
                created_by=alice,
            )
            Judgement.objects.bulk_create(
                [Judgement(organisation=project.organisation, review=r, criterion=c, verdict="met") for c in criteria]
            )
            Decision.objects.create(
                organisation=project.organisation,
                project=project,
                iteration=iteration,
                review=r,
                kind="continue",
                decided_by=alice,
            )

    client = client_for(alice)
    fill(2)
    client.get(url("projects:project_step_review", project))
    with CaptureQueriesContext(connection) as small:
        client.get(url("projects:project_step_review", project))
    fill(18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(url("projects:project_step_review", project)).content.decode()
    assert html.count('<article id="review-') == 20


# --- Carrying the success criteria over, and telling reviews apart -----------------------------------


@pytest.mark.parametrize("kind, carried", [("back_goals", False), ("back_barriers", True), ("back_strategy", True),
                                           ("back_plan", True)])
def test_success_criteria_carry_over_whenever_the_goal_is_kept(client_for, alice, project, iteration, kind, carried):
    originals = add_criteria(iteration, 2)
    back(client_for(alice), project, kind)
    copies = list(SuccessCriterion.objects.filter(iteration=current(project)).order_by("id"))
    expected = [(c.description, c.target_value, c.target_unit) for c in originals] if carried else []
    assert [(c.description, c.target_value, c.target_unit) for c in copies] == expected
    assert SuccessCriterion.objects.filter(iteration=iteration).count() == 2  # the earlier iteration keeps its own


def test_reviews_are_offered_with_who_and_what_they_found_not_only_a_date(client_for, alice, bob, project, iteration):
    c1, c2, c3 = add_criteria(iteration, 3)
    first = reviewing.review_create(iteration=iteration, user=bob, review_date=timezone.localdate(),
                                    what_was_done="A", judgements=[{"criterion": c1, "verdict": "met"},
                                                                   {"criterion": c2, "verdict": "met"}])
    reviewing.decision_record(iteration=iteration, user=alice, kind="continue", review=first)
    reviewing.review_create(iteration=iteration, user=alice, review_date=timezone.localdate(), what_was_done="B")
    html = page(client_for(alice), project)
    select = html[html.index('name="review"'):]
    select = select[:select.index("</select>")]
    assert "Bob Member · 2 of 3 criteria met · decision: Continue as planned" in select
    assert "Alice Lead · 0 of 3 criteria met" in select
    assert timezone.localdate().isoformat() not in select
