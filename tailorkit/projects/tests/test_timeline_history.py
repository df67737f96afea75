"""History reads that cost what they show (issue 11, point 2): the timeline paged by a cursor, the
earlier version of an edit found only for the rows read, and the project as it was read with one
query per table. These tests check that what is shown is the same as before and that the number of
queries does not grow with the number of versions of an object."""

import random
import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tailorkit.projects.models import APEASE, Barrier, Goal, StrategyOption, Task
from tailorkit.projects.services import matching
from tailorkit.projects.services.timeline import parse_cursor, project_as_of, timeline_page


def _at(obj, when, user=None):
    """Give the newest history row of ``obj`` the moment ``when`` and the person ``user``."""
    row = obj.history.order_by("-history_id").first()
    row.history_date, row.history_user = when, user
    row.save()


def _shape(entry):
    """What a reader sees of an entry."""
    return (entry.when, entry.kind, entry.title, entry.subject, entry.reason,
            tuple((p.subject, p.action, tuple((c.label, c.before, c.after) for c in p.changes)) for p in entry.parts))


def _busy_history(project, alice, bob):
    """A mixed history with a known seed: edits by two people minutes or seconds apart (saves of one
    person on one object within 5 seconds make one entry), saves that change nothing shown (hidden),
    APEASE appraisals (six rows, one entry) and a deleted goal."""
    rng = random.Random(11)
    org = project.organisation
    start = timezone.now() - timedelta(days=3)
    project.history.update(history_date=start - timedelta(days=1))
    project.iterations.get(number=1).history.update(history_date=start - timedelta(days=1))
    goals = [Goal.objects.create(organisation=org, project=project, target_group="Adults", end_goal=f"Goal {i}")
             for i in range(4)]
    task = Task.objects.create(organisation=org, project=project, iteration=project.current_iteration, title="T")
    for i, obj in enumerate([*goals, task]):
        _at(obj, start + timedelta(seconds=i))
    barrier = Barrier.objects.create(organisation=org, project=project, custom_name="No rooms")
    _at(barrier, start + timedelta(seconds=6))
    when = start + timedelta(seconds=10)
    for i in range(70):
        when += timedelta(seconds=rng.choice([1, 2, 3, 40, 600]))
        user = rng.choice([alice, bob, None])
        choice = rng.random()
        if choice < 0.08:
            option = StrategyOption.objects.create(organisation=org, project=project, barrier=barrier,
                                                   custom_name=f"Option {i}")
            _at(option, when - timedelta(seconds=1), user)
            matching.appraisal_save(project=project, user=alice, option=option, versions={},
                                    values={c: (str(rng.randint(1, 5)), "") for c in APEASE})
            for appraisal in option.appraisals.all():
                appraisal.history.update(history_date=when, history_user=user)
            continue
        obj = rng.choice([*goals, task])
        obj.refresh_from_db()
        if choice < 0.2:
            obj.version += 1           # a save that changes nothing the timeline shows
        elif isinstance(obj, Task):
            obj.status = rng.choice(["todo", "doing", "done"])
        else:
            obj.end_goal = f"{obj.end_goal.split(' ·')[0]} · {i}"
        obj.save()
        _at(obj, when, user)
    gone = goals[0].pk
    goals[0].delete()
    deleted = Goal.history.get(id=gone, history_type="-")
    deleted.history_date = when + timedelta(minutes=5)
    deleted.save()


def _follow(project, page_size, **kw):
    """Every entry, page by page through the "Older" cursors; and the pages' cursors."""
    pages = [timeline_page(project, page_size=page_size, **kw)]
    while pages[-1].has_next:
        pages.append(timeline_page(project, page_size=page_size, at=parse_cursor(pages[-1].older), **kw))
    return pages


def test_paging_by_cursor_shows_every_entry_once_in_the_same_order(project, alice, bob):
    _busy_history(project, alice, bob)
    everything = [_shape(e) for e in timeline_page(project, page_size=10_000).entries]
    assert len(everything) > 40 and any("APEASE" in e[2] for e in everything)
    assert any("deleted" in e[2] or "removed" in e[2] for e in everything)
    for page_size in (1, 4, 7):
        pages = _follow(project, page_size)
        assert [_shape(e) for p in pages for e in p.entries] == everything, page_size
        # A cursor past the end shows the last entries.
        past = timeline_page(project, page_size=page_size, at=parse_cursor("1.goal.1"))
        assert [_shape(e) for e in past.entries] == everything[-page_size:]
        # The old numbered pages show the same entries as the cursor's pages.
        for number in (2, len(pages)):
            old = timeline_page(project, page=number, page_size=page_size)
            assert [_shape(e) for e in old.entries] == [_shape(e) for e in pages[number - 1].entries]


def test_newer_goes_back_to_exactly_the_page_before(project, alice, bob):
    _busy_history(project, alice, bob)
    for page_size in (3, 5):
        pages = _follow(project, page_size)
        assert len(pages) > 5
        for before, page in zip(pages, pages[1:], strict=False):
            back = timeline_page(project, page_size=page_size, newer_than=parse_cursor(page.newer))
            assert [_shape(e) for e in back.entries] == [_shape(e) for e in before.entries]
        first = timeline_page(project, page_size=page_size, newer_than=parse_cursor(pages[1].newer))
        assert first.number == 1 and not first.has_previous


def test_paging_by_cursor_keeps_the_kind_and_iteration_filters(project, alice, bob):
    _busy_history(project, alice, bob)
    window = (timezone.now() - timedelta(days=3, hours=-1), None)
    for kw in ({"kind": "goal"}, {"window": window}):
        everything = [_shape(e) for e in timeline_page(project, page_size=10_000, **kw).entries]
        assert everything
        assert [_shape(e) for p in _follow(project, 4, **kw) for e in p.entries] == everything


def _entries(html):
    """(sentence, subject) of the entries on a page, in order."""
    return re.findall(r'<li class="timeline-entry[^"]*">\s*<article>\s*<header>\s*<strong>(.*?)</strong>'
                      r'(?: · <span>(.*?)</span>)?', html)


def test_the_older_link_shows_the_next_entries_without_repeats(client_for, alice, project, org):
    base = timezone.now() - timedelta(days=1)
    project.history.update(history_date=base - timedelta(days=1))
    project.iterations.get(number=1).history.update(history_date=base - timedelta(days=1))
    for i in range(60):
        goal = Goal.objects.create(organisation=org, project=project, target_group="Adults", end_goal=f"Goal {i:02}")
        _at(goal, base + timedelta(minutes=i), alice)
    client = client_for(alice)
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    html = client.get(url).content.decode()
    seen = _entries(html)
    newer_links = []
    while 'rel="next"' in html:
        older = re.search(r'href="\?at=([^"]+)" rel="next"', html).group(1)
        html = client.get(url, {"at": older}).content.decode()
        assert 'rel="prev"' in html and not re.search(r"<li>Page \d+</li>", html)
        newer_links.append(re.search(r'href="\?newer_than=([^"]+)" rel="prev"', html).group(1))
        seen += _entries(html)
    assert len(seen) == len(set(seen)) == 62     # 60 goals, the project and its first iteration
    assert seen[:2] == [("Alice Lead added a goal", "Goal 59"), ("Alice Lead added a goal", "Goal 58")]
    # "Newer" from the second page is the first page again.
    html = client.get(url, {"newer_than": newer_links[0]}).content.decode()
    assert "Page 1" in html and 'rel="prev"' not in html


def test_a_cursor_that_is_not_one_shows_the_first_page_and_one_past_the_end_the_last(client_for, alice, project, org):
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    client = client_for(alice)
    # The last one is a cursor, but before anything happened: the page past the end is the last page.
    for bad in ("x", "1.goal", "9" * 5000 + ".goal.1", "1.nothing.1", "-99999999999999999.goal.1", "1.goal.x",
                "1.goal.1"):
        for name in ("at", "newer_than"):
            response = client.get(url, {name: bad})
            assert response.status_code == 200, (name, bad)
            assert "Someone created the project" in response.content.decode()
    assert parse_cursor("9" * 30 + ".goal.1") is None


def _versions(project, n, user):
    """A goal with ``n`` versions a minute apart, each one entry, and the project made before them."""
    start = timezone.now() - timedelta(days=2)
    project.history.update(history_date=start - timedelta(days=1))
    project.iterations.get(number=1).history.update(history_date=start - timedelta(days=1))
    goal = Goal.objects.create(organisation=project.organisation, project=project, target_group="Adults",
                               end_goal="Version 0")
    for i in range(1, n):
        goal.end_goal, goal.version = f"Version {i}", goal.version + 1
        goal.save()
    for i, row in enumerate(goal.history.order_by("history_id")):
        row.history_date, row.history_user = start + timedelta(minutes=i), user
        row.save()
    return goal, start


def _count(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return len(ctx.captured_queries), result


def test_a_timeline_page_costs_the_same_queries_at_10_and_60_versions(project, alice):
    # One entry a page, so that neither size is read to its end: the oldest row read is an edit
    # whose earlier version must be looked up.
    counts = []
    for n in (10, 60):
        if n == 60:
            Goal.objects.all().delete()
            Goal.history.all().delete()
        _versions(project, n, alice)
        first_n, first = _count(lambda: timeline_page(project, page_size=1))
        deep_n, deep = _count(lambda: timeline_page(project, page_size=1, at=parse_cursor(first.older)))  # noqa: B023
        newer_n, newer = _count(lambda: timeline_page(project, page_size=1,  # noqa: B023
                                                      newer_than=parse_cursor(deep.newer)))  # noqa: B023
        assert [e.title for e in first.entries + deep.entries] == ["Alice Lead edited the goal: end goal"] * 2
        assert (first.entries[0].changes[0].before, first.entries[0].changes[0].after) == (
            f"Version {n - 2}", f"Version {n - 1}")
        assert deep.entries[0].changes[0].before == f"Version {n - 3}"
        assert [_shape(e) for e in newer.entries] == [_shape(e) for e in first.entries] and newer.number == 1
        counts.append((first_n, deep_n, newer_n))
    assert counts[0] == counts[1]


def test_the_project_as_it_was_costs_the_same_queries_at_10_and_60_versions(project, alice):
    counts = []
    for n in (10, 60):
        if n == 60:
            Goal.objects.all().delete()
            Goal.history.all().delete()
        goal, start = _versions(project, n, alice)
        middle = start + timedelta(minutes=n // 2, seconds=30)
        count, snapshot = _count(lambda: project_as_of(project, middle))   # noqa: B023
        assert [g.end_goal for g in snapshot.goals] == [f"Version {n // 2}"]
        counts.append(count)
    assert counts[0] == counts[1]


def test_the_project_as_it_was_takes_the_version_of_that_moment(project, alice, org):
    goal, start = _versions(project, 5, alice)
    other = Goal.objects.create(organisation=org, project=project, target_group="Children", end_goal="Other")
    _at(other, start + timedelta(minutes=2, seconds=30))
    gone = other.pk
    other.delete()
    deleted = Goal.history.get(id=gone, history_type="-")
    deleted.history_date = start + timedelta(minutes=3, seconds=30)
    deleted.save()
    before = project_as_of(project, start - timedelta(hours=1))
    assert before.goals == []
    for minute, expected in ((0, ["Version 0"]), (1, ["Version 1"]), (2, ["Version 2", "Other"]),
                             (3, ["Version 3"]), (60, ["Version 4"])):
        snapshot = project_as_of(project, start + timedelta(minutes=minute, seconds=45))
        assert [g.end_goal for g in snapshot.goals] == expected, minute
    assert project_as_of(project, start - timedelta(days=10)) is None   # before the project existed
    # The objects read are the live model's, with their values of then.
    assert isinstance(project_as_of(project, start + timedelta(minutes=1)).goals[0], Goal)
