"""The engine tells the apps above when a consultation has closed (``closings.py``): once per
consultation, at once when closed by hand, and from the periodic job for one whose closing time
passed; a listener that fails rolls the announcement back so that it is tried again.

Only the engine is tested here: consultations must not import projects (the layers contract in
``pyproject.toml``); the project side is in ``projects/tests/test_engagement_services.py``."""

from contextlib import suppress
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tailorkit.consultations import closings
from tailorkit.consultations.models import Consultation
from tailorkit.consultations.services import delivery
from tailorkit.consultations.tasks import send_due_reminders

from .factories import make_consultation


class Failed(Exception):
    pass


@pytest.fixture
def heard(monkeypatch):
    """Only this test's listener (the real ones are put back afterwards): the pks it was told about."""
    monkeypatch.setattr(closings, "_listeners", [])
    told = []
    closings.register(lambda consultation: told.append(consultation.pk))
    return told


def consultation(org, user, title="Which barriers matter?"):
    return make_consultation(org, user, title=title)[0]


def past_closing(c, hours=1):
    """Move ``c``'s closing time into the past (the create service refuses such dates)."""
    closes = timezone.now() - timedelta(hours=hours)
    Consultation.objects.filter(pk=c.pk).update(opens_at=closes - timedelta(days=7), closes_at=closes)
    c.refresh_from_db()
    return c


def announced(c):
    c.refresh_from_db()
    return c.closing_announced_at


def test_closing_by_hand_announces_it_once(org, alice, heard):
    c = consultation(org, alice)
    delivery.consultation_close(consultation=c, actor=alice)
    assert heard == [c.pk]
    assert announced(c) is not None

    delivery.closings_announce_due()
    delivery.closings_announce_due(now=timezone.now() + timedelta(days=30))
    assert heard == [c.pk]


def test_a_consultation_closed_twice_by_hand_is_refused_and_not_announced_again(org, alice, heard):
    c = consultation(org, alice)
    delivery.consultation_close(consultation=c, actor=alice)
    with pytest.raises(ValidationError):
        delivery.consultation_close(consultation=c, actor=alice)
    assert heard == [c.pk]


def test_the_listener_is_given_the_closed_consultation(org, alice, monkeypatch):
    monkeypatch.setattr(closings, "_listeners", [])
    seen = []
    closings.register(lambda consultation: seen.append((consultation.pk, consultation.is_closed())))
    c = consultation(org, alice)
    delivery.consultation_close(consultation=c, actor=alice)
    assert seen == [(c.pk, True)]


def test_a_listener_registered_twice_is_called_once(org, alice, monkeypatch):
    monkeypatch.setattr(closings, "_listeners", [])
    told = []

    def listener(consultation):
        told.append(consultation.pk)

    closings.register(listener)
    closings.register(listener)
    c = consultation(org, alice)
    delivery.consultation_close(consultation=c, actor=alice)
    assert told == [c.pk]


def test_every_listener_is_told(org, alice, monkeypatch):
    monkeypatch.setattr(closings, "_listeners", [])
    first, second = [], []
    closings.register(lambda c: first.append(c.pk))
    closings.register(lambda c: second.append(c.pk))
    c = consultation(org, alice)
    delivery.consultation_close(consultation=c, actor=alice)
    assert first == second == [c.pk]


def test_a_consultation_whose_closing_time_passed_is_announced_exactly_once(org, alice, heard):
    c = past_closing(consultation(org, alice))
    assert delivery.closings_announce_due() == 1
    assert delivery.closings_announce_due() == 0
    assert heard == [c.pk]
    assert announced(c) is not None


def test_an_open_consultation_is_not_announced_until_its_closing_time(org, alice, heard):
    c = consultation(org, alice)
    closes = timezone.now() + timedelta(days=2)
    Consultation.objects.filter(pk=c.pk).update(closes_at=closes)
    no_end = consultation(org, alice, title="No closing time")
    assert delivery.closings_announce_due() == 0
    assert heard == []
    assert delivery.closings_announce_due(now=closes + timedelta(seconds=1)) == 1
    assert heard == [c.pk]
    assert announced(no_end) is None


def test_the_periodic_job_announces_the_consultations_whose_closing_time_passed(org, alice, heard):
    first = past_closing(consultation(org, alice, title="First"))
    second = past_closing(consultation(org, alice, title="Second"), hours=30)
    still_open = consultation(org, alice, title="Still open")

    result = send_due_reminders.enqueue()
    assert result.status == "SUCCESSFUL"
    send_due_reminders.enqueue()

    assert sorted(heard) == sorted([first.pk, second.pk])
    assert announced(still_open) is None


def test_a_listener_that_fails_rolls_the_announcement_back_and_it_is_retried_next_time(
        org, alice, monkeypatch):
    monkeypatch.setattr(closings, "_listeners", [])
    calls = []

    def flaky(consultation):
        calls.append(consultation.pk)
        if len(calls) == 1:
            raise Failed("the app above is down")

    closings.register(flaky)
    c = past_closing(consultation(org, alice))

    with suppress(Failed):
        delivery.closings_announce_due()
    assert announced(c) is None

    assert delivery.closings_announce_due() == 1
    assert calls == [c.pk, c.pk]
    assert announced(c) is not None
    assert delivery.closings_announce_due() == 0
    assert calls == [c.pk, c.pk]


def test_a_failing_listener_takes_a_close_by_hand_back_with_it(org, alice, monkeypatch):
    """The listener runs inside the engine's transaction, and a close by hand is one transaction:
    the close is refused as a whole, so nothing is half done."""
    monkeypatch.setattr(closings, "_listeners", [])

    def broken(consultation):
        raise Failed("the app above is down")

    closings.register(broken)
    c = consultation(org, alice)
    with pytest.raises(Failed):
        delivery.consultation_close(consultation=c, actor=alice)
    c.refresh_from_db()
    assert c.closed_at is None and c.closing_announced_at is None


def test_one_failing_consultation_does_not_hold_up_the_others(org, alice, monkeypatch):
    monkeypatch.setattr(closings, "_listeners", [])
    failing = past_closing(consultation(org, alice, title="Failing"))
    fine = past_closing(consultation(org, alice, title="Fine"))
    told = []

    def listener(consultation):
        if consultation.pk == failing.pk:
            raise Failed("this one cannot be recorded")
        told.append(consultation.pk)

    closings.register(listener)
    delivery.closings_announce_due()
    assert told == [fine.pk]
    assert announced(fine) is not None
    assert announced(failing) is None  # tried again next time
