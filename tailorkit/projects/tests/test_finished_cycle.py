"""A finished cycle (issue 10): deciding to stop completes or stops the project, every page, the list,
the export and the home page say so, and the project can be reopened."""


import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tailorkit.core.locking import StaleEdit
from tailorkit.core.models import AuditEvent
from tailorkit.projects.models import Decision, Iteration, Project, Step
from tailorkit.projects.services import review as reviewing

from .factories import add_criteria, current, url


def page(client, project, **kw):
    return client.get(url("projects:project_step_review", project, **kw)).content.decode()


# --- A finished cycle: completed or stopped, and reopened (issue 10) --------------------------------------


def _finish(project, user, kind="success", reason=""):
    iteration = current(project)
    c1, c2 = add_criteria(iteration, 2)
    review = reviewing.review_create(
        iteration=iteration, user=user, review_date=timezone.localdate(), what_was_done="Letters sent",
        judgements=[{"criterion": c1, "verdict": "met"}, {"criterion": c2, "verdict": "not_met"}])
    reviewing.decision_record(iteration=iteration, user=user, kind=kind, reason=reason, review=review)
    project.refresh_from_db()
    return review


@pytest.mark.parametrize("kind, reason, status",
                         [("success", "", "completed"), ("stop_other", "Funding ended", "stopped")])
def test_a_decision_to_stop_completes_or_stops_the_project_and_is_audited(alice, project, iteration, kind, reason,
                                                                          status):
    _finish(project, alice, kind, reason)
    assert project.status == status and Iteration.objects.count() == 1
    event = AuditEvent.objects.get(action=f"project.{status}")
    assert (event.actor, event.target, event.details["reason"]) == (alice, project.name, reason)
    assert project.history.first().status == status


@pytest.mark.parametrize("kind", ["continue", "back_plan"])
def test_other_decisions_leave_the_project_active(alice, project, iteration, kind):
    reviewing.decision_record(iteration=iteration, user=alice, kind=kind, reason="R")
    project.refresh_from_db()
    assert project.status == "active"


def test_a_finished_cycle_takes_no_further_decision_until_reopened(client_for, alice, project, iteration):
    _finish(project, alice)
    with pytest.raises(ValidationError, match="Reopen the project"):
        reviewing.decision_record(iteration=iteration, user=alice, kind="continue")
    html = client_for(alice).post(url("projects:project_decision_create", project, iteration=1),
                                  {"kind": "back_plan", "reason": "R"}).content.decode()
    assert "Reopen the project to decide again" in html
    assert Decision.objects.count() == 1


def test_the_project_page_shows_a_completed_cycle_and_no_next_step(client_for, alice, project, iteration):
    _finish(project, alice)
    html = client_for(alice).get(url("projects:project_home", project)).content.decode()
    assert "Cycle completed on" in html and "the strategy worked" in html
    assert "Next step" not in html and "Specify the chosen strategy" not in html
    assert "1 of 2 criteria met" in html and "Audit and feedback" in html
    assert url("projects:project_summary", project) in html and url("projects:project_summary_pdf", project) in html
    assert url("projects:project_reopen", project) in html


def test_a_stopped_cycle_says_stopped_with_its_reason(client_for, alice, project, iteration):
    _finish(project, alice, "stop_other", "Funding ended")
    html = client_for(alice).get(url("projects:project_home", project)).content.decode()
    assert "Cycle stopped on" in html and "Funding ended" in html and "Next step" not in html


def test_the_review_page_of_a_finished_cycle_offers_reopening_not_a_decision(client_for, alice, dave, project,
                                                                             iteration):
    _finish(project, alice)
    html = page(client_for(alice), project)
    assert "Decide what comes next" not in html and 'id="decide"' not in html
    assert "Cycle completed on" in html and url("projects:project_reopen", project) in html
    assert "Reopen the project" not in page(client_for(dave), project)  # a viewer cannot reopen


def test_step_pages_of_a_finished_cycle_say_so(client_for, alice, project, iteration):
    client = client_for(alice)
    assert "This cycle is completed" not in client.get(url("projects:project_step_plan", project)).content.decode()
    _finish(project, alice)
    html = client.get(url("projects:project_step_plan", project)).content.decode()
    assert "This cycle is completed" in html and "reopen the project" in html


def test_the_list_shows_a_completed_project_under_completed_with_a_badge(client_for, alice, project, iteration):
    client = client_for(alice)
    _finish(project, alice)
    active = client.get(url_list(project)).content.decode()
    assert project.name not in active and "4 · Apply and review" not in active
    completed = client.get(url_list(project) + "?show=completed").content.decode()
    assert project.name in completed and "badge-done" in completed and "4 · Apply and review" not in completed
    assert client.get(url_list(project) + "?show=nonsense").status_code == 200


def url_list(project):
    from django.urls import reverse

    return reverse("projects:project_list", args=[project.organisation.slug])


def test_reopening_makes_the_project_active_at_step_4_of_the_same_iteration(client_for, alice, project, iteration):
    _finish(project, alice)
    client = client_for(alice)
    confirm = client.get(url("projects:project_reopen", project)).content.decode()
    assert "Reopen this project?" in confirm and 'name="version"' in confirm
    response = client.post(url("projects:project_reopen", project),
                           {"reason": "The effect faded", "version": project.version})
    assert response["Location"] == url("projects:project_step_review", project)
    project.refresh_from_db()
    assert (project.status, project.step, Iteration.objects.count()) == ("active", Step.REVIEW, 1)
    assert project.history.first().history_change_reason == "The effect faded"
    event = AuditEvent.objects.get(action="project.reopened")
    assert (event.actor, event.details) == (alice, {"previous_status": "completed", "reason": "The effect faded"})
    html = page(client, project)
    assert 'id="decide"' in html and "Reopen the project" not in html
    home = client.get(url("projects:project_home", project)).content.decode()
    assert "Review again and decide what comes next" in home and "Cycle completed" not in home
    reviewing.decision_record(iteration=iteration, user=alice, kind="continue")  # the team decides again


def test_reopening_is_refused_for_an_active_project_a_stale_form_or_a_long_reason(client_for, alice, dave, project,
                                                                                iteration):
    from tailorkit.projects.services import projects as project_services

    with pytest.raises(ValidationError, match="Only a completed or stopped"):
        project_services.project_reopen(project=project, user=alice)
    assert client_for(alice).get(url("projects:project_reopen", project)).status_code == 302
    _finish(project, alice)
    with pytest.raises(ValidationError) as exc:
        project_services.project_reopen(project=project, user=alice, reason="x" * 101)
    assert "reason" in exc.value.message_dict
    html = client_for(alice).post(url("projects:project_reopen", project),
                                  {"reason": "y" * 101, "version": project.version}).content.decode()
    assert 'id="id_reason_error"' in html
    with pytest.raises(StaleEdit):
        project_services.project_reopen(project=project, user=alice, version=project.version - 1)
    response = client_for(alice).post(url("projects:project_reopen", project), {"version": project.version - 1})
    assert response.status_code == 409 and "Someone else saved this" in response.content.decode()
    assert client_for(dave).post(url("projects:project_reopen", project), {}).status_code == 403
    project.refresh_from_db()
    assert project.status == "completed"


@pytest.mark.parametrize("kind, status", [("success", "completed"), ("stop_other", "stopped")])
def test_archiving_and_restoring_keeps_a_finished_cycle(alice, project, iteration, kind, status):
    from tailorkit.projects.services import projects as project_services

    _finish(project, alice, kind, "R")
    project_services.project_archive(project=project, user=alice)
    project_services.project_restore(project=project, user=alice)
    project.refresh_from_db()
    assert project.status == status
    project_services.project_reopen(project=project, user=alice)
    project_services.project_archive(project=project, user=alice)
    project_services.project_restore(project=project, user=alice)
    project.refresh_from_db()
    assert project.status == "active"  # reopened before it was archived


def test_a_stop_decided_while_archived_counts_when_restored(alice, project, iteration):
    from tailorkit.projects.services import projects as project_services

    project_services.project_archive(project=project, user=alice)
    _finish(project, alice)
    assert project.status == "archived"
    project_services.project_restore(project=project, user=alice)
    project.refresh_from_db()
    assert project.status == "completed"


def test_a_completed_project_is_not_stalled_on_the_home_page(alice, org, project, iteration):
    from datetime import timedelta

    from tailorkit.projects.selectors import personal

    Project.objects.filter(pk=project.pk).update(last_activity_at=timezone.now() - timedelta(days=90))
    assert list(personal.stalled_projects(alice, [org])) == [project]
    _finish(project, alice)
    Project.objects.filter(pk=project.pk).update(last_activity_at=timezone.now() - timedelta(days=90))
    assert list(personal.stalled_projects(alice, [org])) == []
