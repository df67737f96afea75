"""What a timeline page and "the project as it was" read (issue 11): the same number of queries
whichever kinds of object a page names, a filter by iteration that does not list every iteration,
and an index on every history table that finds one object's version at a moment by one seek."""

from datetime import timedelta

from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tailorkit.core.models import User
from tailorkit.library.models import Item
from tailorkit.projects.models import (
    Barrier,
    BarrierRating,
    Focus,
    Goal,
    Iteration,
    Judgement,
    Review,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.projects.services.timeline import project_as_of, timeline_page
from tailorkit.projects.services.timeline_wording import show_date


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def test_a_timeline_page_sends_as_many_queries_whichever_kinds_of_object_it_names(project, org, bob):
    iteration = project.current_iteration
    nameless = User.objects.create_user(email="no-name@example.org", password="x-test-password-1", name="")
    # A page whose entries name two kinds of object: a person (the task's owner) and an iteration.
    Task.objects.create(organisation=org, project=project, iteration=iteration, title="Book rooms", owner=nameless)
    few, page = _count(lambda: timeline_page(project))
    owner = [c.after for c in page.entries[0].changes if c.field == "owner"]
    assert owner == ["no-name@example.org"]   # a person without a name: their address

    # Then entries that name every kind: library items, barriers, options, goals, criteria, reviews.
    item = Item.objects.filter(pack=project.determinant_pack).order_by("pk").first()
    barrier = Barrier.objects.create(organisation=org, project=project, item=item)
    BarrierRating.objects.create(organisation=org, barrier=barrier, rated_by=bob, importance=4, changeability=2)
    goal = Goal.objects.create(organisation=org, project=project, target_group="Adults",
                               end_goal="Fewer drop-outs " * 9)
    Focus.objects.create(organisation=org, iteration=iteration, goal=goal)
    StrategyOption.objects.create(organisation=org, project=project, barrier=barrier, custom_name="Reminders")
    criterion = SuccessCriterion.objects.create(organisation=org, project=project, iteration=iteration,
                                                description="Half of them finish")
    review = Review.objects.create(organisation=org, project=project, iteration=iteration, what_was_done="Sent",
                                   review_date=timezone.localdate() - timedelta(days=3))
    Judgement.objects.create(organisation=org, review=review, criterion=criterion, verdict="met")
    many, page = _count(lambda: timeline_page(project))

    assert many == few
    by_kind = {e.kind: e for e in page.entries}
    assert by_kind["rating"].subject == item.name                    # the barrier's name is its item's
    assert by_kind["focus"].title.endswith("set the focus of iteration 1")
    assert by_kind["review"].subject == show_date(review.review_date)
    assert [p.subject for p in by_kind["review"].parts if p.kind == "judgement"] == ["Half of them finish"]
    assert by_kind["goal"].subject == goal.end_goal[:79] + "…"      # the first 80 characters
    assert by_kind["option"].subject == "Reminders"


def test_the_iteration_filter_lists_up_to_20_iterations_and_past_that_asks_for_a_number(
        client_for, alice, project, org):
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    start = timezone.now() - timedelta(days=30)
    Iteration.objects.filter(project=project).update(started_at=start)
    Iteration.objects.bulk_create([Iteration(organisation=org, project=project, number=n,
                                             started_at=start + timedelta(days=n)) for n in range(2, 21)])
    html = client_for(alice).get(url).content.decode()
    assert '<select name="iteration">' in html and '<option value="20">' in html

    Iteration.objects.create(organisation=org, project=project, number=21, started_at=start + timedelta(days=21))
    html = client_for(alice).get(url).content.decode()
    assert '<select name="iteration">' not in html and '<option value="20">' not in html
    assert '<input type="number" name="iteration" min="1" max="21"' in html
    assert "A number from 1 to 21." in html

    # A number filters to the time that iteration was the current one; one that is not there, to nothing.
    goal = Goal.objects.create(organisation=org, project=project, target_group="Adults", end_goal="Fewer drop-outs")
    goal.history.update(history_date=start + timedelta(days=15, hours=1))
    html = client_for(alice).get(url, {"iteration": "15"}).content.decode()
    assert "Fewer drop-outs" in html and 'value="15"' in html
    html = client_for(alice).get(url, {"iteration": "16"}).content.decode()
    assert "Fewer drop-outs" not in html
    html = client_for(alice).get(url, {"iteration": "99"}).content.decode()
    assert "Fewer drop-outs" in html and 'value=""' in html   # no such iteration: everything, unfiltered


def test_every_history_table_has_an_index_on_the_object_and_its_moment():
    # (The project team's history is a table of the project's versions' members, with no moment of its own.)
    history_models = [m for m in apps.get_models()
                      if hasattr(m, "instance_type") and any(f.name == "history_date" for f in m._meta.fields)]
    assert len(history_models) >= 30
    for model in history_models:
        assert ["id", "history_date", "history_id"] in [list(i.fields) for i in model._meta.indexes], model


def test_the_project_as_it_was_finds_objects_by_their_creation_and_each_version_by_the_index(project, org, alice):
    """Goals created, edited and deleted around the moment asked for; the reads are one query per
    table whatever the number of versions, checked in the other tests; here what they find."""
    start = timezone.now() - timedelta(days=2)
    project.history.update(history_date=start - timedelta(days=1))
    project.iterations.get(number=1).history.update(history_date=start - timedelta(days=1))

    def goal(name, created, edits=(), deleted=None):
        g = Goal.objects.create(organisation=org, project=project, target_group="Adults", end_goal=name)
        g.history.update(history_date=start + timedelta(minutes=created))
        for i, minute in enumerate(edits):
            g.end_goal = f"{name} {i + 1}"
            g.save()
            g.history.filter(history_type="~", history_date__gt=start + timedelta(minutes=minute)).update(
                history_date=start + timedelta(minutes=minute))
        if deleted is not None:
            pk = g.pk
            g.delete()
            Goal.history.filter(id=pk, history_type="-").update(history_date=start + timedelta(minutes=deleted))

    goal("Kept", 0, edits=(10, 20, 30))
    goal("Gone before", 1, deleted=5)
    goal("Gone after", 2, edits=(12,), deleted=40)
    goal("Made after", 25)
    snapshot = project_as_of(project, start + timedelta(minutes=15))
    assert [g.end_goal for g in snapshot.goals] == ["Kept 1", "Gone after 1"]
    snapshot = project_as_of(project, start + timedelta(minutes=35))
    assert sorted(g.end_goal for g in snapshot.goals) == ["Gone after 1", "Kept 3", "Made after"]
