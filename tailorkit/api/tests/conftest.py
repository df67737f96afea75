"""Fixtures for the API tests: tokens for the cast, and a small library to read."""

import pytest
from django.test import Client

from tailorkit.api import services
from tailorkit.library.tests.factories import tiny_library


@pytest.fixture
def token_for():
    """``token_for(alice)`` → a fresh raw bearer token acting as alice, made through the service
    directly (the token page's re-authentication is tested in test_tokens_ui)."""

    def _make(user, name="script", expires_in_days=services.DEFAULT_LIFETIME):
        _token, raw = services.token_create(user=user, name=name, expires_in_days=expires_in_days)
        return raw

    return _make


@pytest.fixture
def bearer(token_for):
    """``bearer(alice)`` → a test client that sends alice's bearer token on every request."""

    def _client(user):
        return Client(headers={"Authorization": f"Bearer {token_for(user)}"})

    return _client


@pytest.fixture
def library(db):
    """Two packs, a category, items and an expert-endorsement link between the packs."""
    return tiny_library()


@pytest.fixture
def stepped_project(org, alice, bob, library):
    """Alice's project with one of every step object, for routes that name one in their path."""
    from django.utils import timezone

    from tailorkit.projects.services import effort, engagement, goals, matching, planning, review
    from tailorkit.projects.services.projects import project_create

    project = project_create(organisation=org, user=alice, name="Stepped", service="iCBT", team=[alice, bob],
                             determinant_pack=library["determinants"], strategy_pack=library["strategies"])
    iteration = project.current_iteration
    barrier = goals.barrier_add_from_pack(project=project, user=alice, item=library["barrier"])
    today = timezone.localdate()
    group = engagement.stakeholder_group_create(project=project, user=alice, name="Clinicians")
    return {
        "project": project,
        "iteration": iteration,
        "goal": goals.goal_create(project=project, user=alice, target_group="Clinicians", end_goal="More referrals"),
        "barrier": barrier,
        "option": matching.option_add_from_pack(project=project, user=alice, barrier=barrier, item=library["strategy"]),
        "task": planning.task_create(iteration=iteration, user=alice, title="Train the staff", owner=bob),
        "criterion": planning.criterion_create(iteration=iteration, user=alice, description="Referrals double"),
        "review": review.review_create(iteration=iteration, user=alice, review_date=today, what_was_done="Training"),
        "entry": effort.effort_log(project=project, user=alice, date=today, minutes=30, activity="Meeting",
                                   step="goals"),
        "group": group,
        "person": engagement.stakeholder_person_add(group=group, user=alice, name="Dr Lee"),
        "plan": engagement.engagement_plan_add(project=project, iteration=iteration, user=alice, step="goals",
                                               group=group, objective="learn", approach="meeting"),
        "record": engagement.engagement_record_add(project=project, iteration=iteration, user=alice, step="goals",
                                                   date=today, approach="meeting", groups=[group], heard="Short forms"),
    }


@pytest.fixture
def consultation_objects(org, alice):
    """Alice's questionnaire and an identified consultation with one invitation, for the routes
    that name a questionnaire or a consultation in their path."""
    from tailorkit.consultations.services import delivery
    from tailorkit.consultations.tests.factories import make_consultation

    consultation, _token = make_consultation(org, alice, anonymous=False)
    delivery.invitations_send(consultation=consultation, actor=alice, text="sweep@example.org, clinician")
    return {"questionnaire": consultation.questionnaire, "consultation": consultation}
