"""Stakeholder engagement in the timeline (issue 17): groups, plans, records and the changes made
because of them read as plain sentences; a record's entry says what it led to, and the entry that made
such a change says after which record, with a link, for the cost of one query per page whatever it
shows. Named people never appear."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tailorkit.projects.models import Barrier, BarrierRating, Goal, Step
from tailorkit.projects.services import engagement, goals, planning
from tailorkit.projects.services.timeline import KINDS, timeline_page
from tailorkit.projects.services.timeline_wording import show_date


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def _earlier(obj, **delta):
    """Move every history row of ``obj`` back in time (a save long before the next one)."""
    for row in obj.history.all():
        row.history_date -= timedelta(**delta)
        row.save()


def _record(project, alice, groups, changes=(), days_ago=0, approach="meeting"):
    return engagement.engagement_record_add(
        project=project, iteration=project.current_iteration, user=alice, step=Step.GOALS,
        date=timezone.localdate() - timedelta(days=days_ago), approach=approach, groups=groups,
        heard="Heard something.", changes=changes)


def test_engagement_reads_as_sentences_and_never_names_people(project, alice):
    gps = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer")
    engagement.stakeholder_person_add(group=gps, user=alice, name="Dr Secret Person", contact="secret@example.org")
    _earlier(gps, hours=3)
    plan = engagement.engagement_plan_add(project=project, iteration=project.current_iteration, user=alice,
                                          step=Step.MATCH, group=gps, objective="decide", approach="workshop")
    _earlier(plan, hours=2)
    goal = goals.goal_create(project=project, user=alice, target_group="GPs", end_goal="Refer within a week")
    _earlier(goal, hours=1)
    record = _record(project, alice, [gps], changes=[("goal", goal.pk, "added")], approach="workshop")
    entries = timeline_page(project).entries
    text = repr([(e.title, e.subject, e.led_to, [(c.label, c.before, c.after) for c in e.changes])
                 for e in entries])
    assert "Dr Secret Person" not in text and "secret@example.org" not in text

    by_kind = {e.kind: e for e in entries}
    # Saved outside a request, so by "Someone".
    assert by_kind["stakeholder_group"].title == "Someone added a stakeholder group"
    assert by_kind["stakeholder_group"].subject == "GPs who refer"
    assert by_kind["engagement_plan"].title == "Someone added an engagement plan"
    assert by_kind["engagement_plan"].subject == "GPs who refer, 2 · Match strategies"
    made = by_kind["engagement_record"]   # the record and the change saved with it: one entry
    assert made.title == "Someone recorded an engagement with stakeholders"
    assert made.subject == f"Workshop on {show_date(record.date)}" and made.record_id == record.pk
    assert made.led_to == ["Goal “Refer within a week” added"]
    assert ("groups reached", "—", "GPs who refer") in [(c.label, c.before, c.after) for c in made.changes]
    assert {p.kind for p in made.parts} == {"engagement_record", "engagement_change"}
    assert by_kind["goal"].after == [(record.pk, f"Workshop on {show_date(record.date)}")]
    assert list(KINDS)[-4:] == ["stakeholder_group", "engagement_plan", "engagement_record", "engagement_change"]


def test_the_page_links_a_change_to_the_record_it_came_after(client_for, project, alice, bob, org):
    gps = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer")
    barrier = goals.barrier_add_custom(project=project, user=alice, name="No referral form", category="Process")
    _earlier(barrier, minutes=10)
    record = _record(project, alice, [gps], changes=[("barrier", barrier.pk, "added")])
    html = client_for(bob).get(reverse("projects:project_timeline", args=[org.slug, project.pk])).content.decode()
    link = reverse("projects:project_record", args=[org.slug, project.pk, record.pk])
    assert f'After: <a href="{link}">Meeting on {show_date(record.date)}</a>' in html
    assert "Led to: Barrier “No referral form” added" in html
    assert f'<a href="{link}">Meeting on {show_date(record.date)}</a><br>' in html   # the record's own entry
    assert '<option value="engagement_record">Record of engagement</option>' in html
    filtered = client_for(bob).get(reverse("projects:project_timeline", args=[org.slug, project.pk]),
                                   {"kind": "engagement_record"}).content.decode()
    assert "recorded an engagement with stakeholders" in filtered and "added a barrier" not in filtered


def test_a_change_is_shown_only_on_the_entries_that_made_it_from_the_record_on(project, alice):
    gps = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer")
    goal = goals.goal_create(project=project, user=alice, target_group="GPs", end_goal="Refer within a week")
    _earlier(goal, days=5)
    goals.goal_update(project=project, goal=goal, user=alice, version=goal.version, target_group="GPs",
                      end_goal="Refer within three days", emphasis="")
    Goal.history.filter(id=goal.pk, history_type="~").update(history_date=timezone.now() - timedelta(days=3))
    record = _record(project, alice, [gps], changes=[("goal", goal.pk, "adapted")], days_ago=1)
    _earlier(record, hours=1)
    goal.refresh_from_db()
    goals.goal_update(project=project, goal=goal, user=alice, version=goal.version, target_group="GPs",
                      end_goal="Refer within two days", emphasis="")
    entries = [e for e in timeline_page(project).entries if e.kind == "goal"]
    assert [(e.action, bool(e.after)) for e in entries] == [("~", True), ("~", False), ("+", False)]


def test_a_re_rating_shows_on_the_ratings_and_a_dropped_barrier_on_its_removal(project, alice, bob):
    gps = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer")
    rated = goals.barrier_add_custom(project=project, user=alice, name="No rooms", category="Resources")
    dropped = goals.barrier_add_custom(project=project, user=alice, name="No form", category="Process")
    _earlier(rated, hours=2)
    _earlier(dropped, hours=2)
    record = _record(project, alice, [gps], changes=[("barrier", rated.pk, "rerated"),
                                                     ("barrier", dropped.pk, "dropped")])
    _earlier(record, hours=1)
    BarrierRating.objects.create(organisation=project.organisation, barrier=rated, rated_by=bob, importance=5,
                                 changeability=2)
    Barrier.objects.get(pk=dropped.pk).delete()
    entries = timeline_page(project).entries
    rating = next(e for e in entries if e.kind == "rating")
    assert [pk for pk, _label in rating.after] == [record.pk]
    barriers = [(e.subject, e.action, [pk for pk, _label in e.after]) for e in entries if e.kind == "barrier"]
    assert barriers == [("No form", "-", [record.pk]), ("No form", "+", []), ("No rooms", "+", [])]


def test_a_timeline_page_sends_as_many_queries_however_much_engagement_it_shows(project, alice):
    iteration = project.current_iteration
    gps = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer")
    goal = goals.goal_create(project=project, user=alice, target_group="GPs", end_goal="Refer within a week")
    _record(project, alice, [gps], changes=[("goal", goal.pk, "added")])
    few, _page = _count(lambda: timeline_page(project))

    patients = engagement.stakeholder_group_create(project=project, user=alice, name="Patients")
    for i in range(6):
        barrier = goals.barrier_add_custom(project=project, user=alice, name=f"Barrier {i}", category="Process")
        task = planning.task_create(iteration=iteration, user=alice, title=f"Task {i}")
        criterion = planning.criterion_create(iteration=iteration, user=alice, description=f"Criterion {i}")
        _earlier(barrier, minutes=30 - i)
        _record(project, alice, [gps, patients], changes=[("barrier", barrier.pk, "added"),
                                                          ("task", task.pk, "added"),
                                                          ("criterion", criterion.pk, "added")])
    many, page = _count(lambda: timeline_page(project))
    assert many == few
    assert sum(1 for e in page.entries if e.after) >= 6 and sum(1 for e in page.entries if e.led_to) >= 6
