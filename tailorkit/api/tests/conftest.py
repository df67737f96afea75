"""Fixtures for the API tests: tokens for the cast, and a small library to read."""

import pytest
from django.test import Client

from tailorkit.api import services
from tailorkit.library.models import Category, ContentPack, Item, Link


@pytest.fixture
def token_for():
    """``token_for(alice)`` → a fresh raw bearer token acting as alice."""

    def _make(user, name="script"):
        _token, raw = services.token_create(user=user, name=name)
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
    determinants = ContentPack.objects.create(
        slug="test-determinants", name="Test determinants", version="1", kind="determinants",
        source="Test source", licence="CC BY 4.0", checksum="0" * 64,
    )
    strategies = ContentPack.objects.create(
        slug="test-strategies", name="Test strategies", version="1", kind="strategies",
        source="Test source", licence="CC BY 4.0", checksum="1" * 64,
    )
    knowledge = Category.objects.create(pack=determinants, code="knowledge", name="Knowledge", order=1)
    barrier = Item.objects.create(pack=determinants, category=knowledge, code="D1", name="Lack of training",
                                  description="Staff were never shown how the service works.", order=1)
    other = Item.objects.create(pack=determinants, code="D2", name="Cost of licences", order=2)
    strategy = Item.objects.create(pack=strategies, code="S1", name="Conduct educational meetings", order=1,
                                   attributes={"importance": 3.9})
    link = Link.objects.create(pack=strategies, from_item=barrier, to_item=strategy, weight=0.8, source="Test")
    return {"determinants": determinants, "strategies": strategies, "category": knowledge,
            "barrier": barrier, "other": other, "strategy": strategy, "link": link}


@pytest.fixture
def stepped_project(org, alice, bob, library):
    """Alice's project with one of every step object, for routes that name one in their path."""
    from django.utils import timezone

    from tailorkit.projects.services import effort, step1, step2, step3, step4
    from tailorkit.projects.services.projects import project_create

    project = project_create(organisation=org, user=alice, name="Stepped", service="iCBT", team=[alice, bob],
                             determinant_pack=library["determinants"], strategy_pack=library["strategies"])
    iteration = project.current_iteration
    barrier = step1.barrier_add_from_pack(project=project, user=alice, item=library["barrier"])
    today = timezone.localdate()
    return {
        "project": project,
        "iteration": iteration,
        "goal": step1.goal_create(project=project, user=alice, target_group="Clinicians", end_goal="More referrals"),
        "barrier": barrier,
        "option": step2.option_add_from_pack(project=project, user=alice, barrier=barrier, item=library["strategy"]),
        "task": step3.task_create(iteration=iteration, user=alice, title="Train the staff", owner=bob),
        "criterion": step3.criterion_create(iteration=iteration, user=alice, description="Referrals double"),
        "review": step4.review_create(iteration=iteration, user=alice, review_date=today, what_was_done="Training"),
        "entry": effort.effort_log(project=project, user=alice, date=today, minutes=30, activity="Meeting",
                                   step="goals"),
    }


@pytest.fixture
def consultation_objects(org, alice):
    """Alice's questionnaire and an identified consultation with one invitation, for the routes
    that name a questionnaire or a consultation in their path."""
    from tailorkit.consultations import delivery
    from tailorkit.consultations.tests.factories import make_consultation

    consultation, _token = make_consultation(org, alice, anonymous=False)
    delivery.invitations_send(consultation=consultation, actor=alice, text="sweep@example.org, clinician")
    return {"questionnaire": consultation.questionnaire, "consultation": consultation}
