import re
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tailorkit.projects.models import (
    APEASE,
    Appraisal,
    Barrier,
    Goal,
    Specification,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.projects.services import matching

from .test_records_transfer import build_full_project


def _goal(project, user, **kw):
    return Goal.objects.create(organisation=project.organisation, project=project, created_by=user,
                               target_group=kw.get("target_group", "Adults"), end_goal=kw.get("end_goal", "More use"))


def _timeline(client, project, **params):
    url = reverse("projects:project_timeline", args=[project.organisation.slug, project.pk])
    return client.get(url, params).content.decode()


def _entries(html):
    """The sentences of the entries on a page, in order."""
    return re.findall(r'<li class="timeline-entry[^"]*">\s*<article>\s*<header>\s*<strong>(.*?)</strong>', html)


def _earlier(obj, delta):
    """Move every history row of ``obj`` back by ``delta`` (a save made earlier than the next one)."""
    for row in obj.history.all():
        row.history_date -= delta
        row.save()


def _earlier_project(project, delta=timedelta(days=1)):
    """The project and its first iteration were created well before what a test does next."""
    _earlier(project, delta)
    _earlier(project.iterations.get(number=1), delta)


def _option(project, user, name):
    barrier, _created = Barrier.objects.get_or_create(organisation=project.organisation, project=project,
                                                      custom_name="No rooms")
    return StrategyOption.objects.create(organisation=project.organisation, project=project, barrier=barrier,
                                         custom_name=name, created_by=user)


def _appraise(client, project, option, ratings, versions=None):
    url = reverse("projects:project_option_appraise", args=[project.organisation.slug, project.pk, option.pk])
    data = {}
    for c in APEASE:
        data[f"rating-{c}"] = ratings.get(c, "")
        data[f"note-{c}"] = ""
        data[f"version-{c}"] = (versions or {}).get(c, 0)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_timeline_shows_who_changed_what_before_and_after(client_for, alice, bob, project, org):
    client = client_for(bob)
    task = Task.objects.create(organisation=org, project=project, iteration=project.current_iteration,
                               title="Book a room", owner=bob)
    _earlier(task, timedelta(hours=1))
    task.status, task.version = "done", 2
    task.save()
    Barrier.objects.create(organisation=org, project=project, custom_name="<script>alert(1)</script>")
    html = client.get(reverse("projects:project_timeline", args=[org.slug, project.pk])).content.decode()
    assert "Someone edited the task: status" in html
    assert "Status: <del>To do</del> → <ins>Done</ins>" in html
    assert "Someone added a barrier" in html and "Someone added a task" in html
    assert "Someone created the project" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.index("added a barrier") < html.index("edited the task")   # newest first


def test_the_timeline_shows_the_user_who_made_a_change_through_a_page(client_for, alice, project, org):
    # A save in a request is attributed by simple-history's middleware; simulate it with history_user.
    goal = _goal(project, alice)
    goal.history.update(history_user=alice)
    html = client_for(alice).get(reverse("projects:project_timeline", args=[org.slug, project.pk])).content.decode()
    assert "Alice Lead added a goal" in html


def test_the_timeline_filters_by_kind_and_iteration(client_for, alice, bob, project, org):
    _earlier_project(project)
    build_full_project(project, alice, bob)
    client = client_for(alice)
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    html = client.get(url + "?kind=task").content.decode()
    assert "added a task" in html and "added a goal" not in html
    html = client.get(url + "?kind=iteration").content.decode()
    assert "started iteration 2" in html and "chose the strategy" in html
    html = client.get(url + "?iteration=2").content.decode()
    assert "started iteration 2" in html and "added a goal" not in html


def test_the_timeline_pages_through_older_entries(client_for, alice, project, org):
    for i in range(30):
        _goal(project, alice, end_goal=f"Goal number {i}")
    client = client_for(alice)
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    first = client.get(url).content.decode()
    assert "Goal number 29" in first and "Goal number 2<" not in first and 'rel="next"' in first
    second = client.get(url + "?page=2").content.decode()
    assert "created the project" in second and 'rel="prev"' in second


def test_a_page_number_past_the_end_shows_the_last_page(client_for, alice, project, org):
    for i in range(30):
        _goal(project, alice, end_goal=f"Goal number {i}")
    client = client_for(alice)
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    for number in ("3", "922337203685477580", "9" * 4000, "-5", "x"):
        response = client.get(url, {"page": number})
        html = response.content.decode()
        assert response.status_code == 200, number
        if number in ("-5", "x"):
            assert "Page 1" in html
        else:
            assert "Page 2" in html and "created the project" in html and 'rel="next"' not in html


def test_the_timeline_query_count_does_not_grow_with_changes(client_for, alice, bob, project, org,
                                                               django_assert_max_num_queries):
    client = client_for(alice)
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])

    def make(n):
        for i in range(n):
            goal = _goal(project, alice, end_goal=f"G{i}")
            goal.end_goal, goal.version = f"G{i} changed", 2
            goal.save()
            task = Task.objects.create(organisation=org, project=project, iteration=project.current_iteration,
                                       title=f"T{i}", owner=bob)
            task.status = "done"
            task.save()

    # A page costs at most 2 queries per history table + 1 per kind of name shown + the fixed ones.
    make(7)      # enough to fill the first page with the same kinds of change as below
    with django_assert_max_num_queries(45) as small:
        client.get(url)
    make(13)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        client.get(url)
    a = [q["sql"][:90] for q in small.captured_queries]
    b = [q["sql"][:90] for q in large.captured_queries]
    assert len(b) == len(a), "\n".join(a) + "\n---\n" + "\n".join(b)


def test_the_project_as_it_was_shows_the_old_text(client_for, alice, bob, project, org):
    goal = _goal(project, alice, end_goal="The first wording")
    earlier = timezone.now()
    created = goal.history.get()
    created.history_date = earlier - timedelta(days=3)
    created.save()
    goal.end_goal, goal.version = "The second wording", 2
    goal.save()
    client = client_for(bob)
    url = reverse("projects:project_as_of", args=[org.slug, project.pk])
    day = (earlier - timedelta(days=2)).date().isoformat()
    # The project itself must have existed then.
    project.history.update(history_date=earlier - timedelta(days=10))
    html = client.get(url, {"when": day}).content.decode()
    assert "The first wording" in html and "The second wording" not in html
    html = client.get(url, {"when": timezone.localdate().isoformat()}).content.decode()
    assert "The second wording" in html


def test_the_project_as_it_was_before_it_existed_is_a_friendly_message(client_for, alice, project, org):
    url = reverse("projects:project_as_of", args=[org.slug, project.pk])
    html = client_for(alice).get(url, {"when": "2001-01-01"}).content.decode()
    assert "The project did not exist yet on 2001-01-01" in html
    html = client_for(alice).get(url, {"when": "not a date"}).content.decode()
    assert "Enter a date like" in html


def test_the_project_as_it_was_shows_everything_of_a_full_project(client_for, alice, bob, project, org,
                                                                  django_assert_max_num_queries):
    build_full_project(project, alice, bob)
    url = reverse("projects:project_as_of", args=[org.slug, project.pk])
    with django_assert_max_num_queries(40):
        html = client_for(alice).get(url, {"when": timezone.localdate().isoformat()}).content.decode()
    for text in ("Twice as many referrals", "No referral pathway", "Referral letter template", "Book a room",
                 "30 referrals a month", "Ran training", "Training was not enough", "Iteration 2"):
        assert text in html, text
    assert "A barrier we dropped" not in html


def test_a_viewer_reads_the_timeline_and_an_outsider_gets_404(client_for, dave, mallory, project, org):
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    assert client_for(dave).get(url).status_code == 200
    assert client_for(mallory).get(url).status_code == 404


# --- One entry per save (issue 10) ------------------------------------------------------------------


def test_an_apease_appraisal_of_six_criteria_by_one_person_is_one_entry(client_for, alice, project):
    option = _option(project, alice, "Peer champions")
    client = client_for(alice)
    _appraise(client, project, option, dict.fromkeys(APEASE, "4"))
    html = _timeline(client, project)
    assert "Alice Lead rated “Peer champions” on 6 APEASE criteria" in html
    assert html.count("APEASE") == 1                       # one entry, not six
    details = html[html.index("<details>"):html.index("</details>")]
    for criterion in ("Acceptability", "Side-effects", "Equity"):
        assert f"{criterion}: Rating" in details
    assert "Show what changed (6 lines)" in details


def test_a_save_that_changes_nothing_shown_has_no_entry(client_for, alice, project):
    client = client_for(alice)
    goal = _goal(project, alice, end_goal="Fewer waiting weeks")
    _earlier(goal, timedelta(hours=1))
    before = _entries(_timeline(client, project))
    goal.version = 2       # a save that only moved the version on (as a review saved with the same words)
    goal.save()
    assert goal.history.count() == 2
    html = _timeline(client, project)
    assert _entries(html) == before
    assert "without visible changes" not in html and "edited the goal" not in html


def test_two_peoples_saves_are_two_entries(client_for, alice, bob, project):
    option = _option(project, alice, "Peer champions")
    _appraise(client_for(alice), project, option, dict.fromkeys(APEASE, "4"))
    versions = {a.criterion: a.version for a in Appraisal.objects.filter(option=option)}
    _appraise(client_for(bob), project, option, {**dict.fromkeys(APEASE, "4"), "equity": "2", "affordability": "1"},
              versions)
    entries = _entries(_timeline(client_for(alice), project))
    assert entries[:2] == ["Bob Member rated “Peer champions” on 2 APEASE criteria",
                           "Alice Lead rated “Peer champions” on 6 APEASE criteria"]


def test_one_persons_saves_minutes_apart_are_two_entries(client_for, alice, project):
    _earlier_project(project)
    goal = _goal(project, alice, end_goal="First words")
    goal.history.update(history_user=alice)
    _earlier(goal, timedelta(minutes=10))
    goal.end_goal, goal.version = "Second words", 2
    goal.save()
    goal.history.filter(history_type="~").update(history_user=alice)
    entries = _entries(_timeline(client_for(alice), project))
    assert entries[:2] == ["Alice Lead edited the goal: end goal", "Alice Lead added a goal"]


def test_a_specification_edit_names_its_fields_and_shows_before_and_after(client_for, alice, bob, project, org):
    spec = Specification.objects.create(organisation=org, iteration=project.current_iteration, why="Old reason",
                                        who_provides="A nurse")
    _earlier(spec, timedelta(hours=2))
    spec.why, spec.who_provides, spec.version = "New reason", "A pharmacist", 2
    spec.save()
    spec.history.filter(history_type="~").update(history_user=bob)
    html = _timeline(client_for(alice), project)
    assert "Bob Member edited the specification: why, who provides" in html
    details = html[html.index("<details>"):html.index("</details>")]
    assert "<del>Old reason</del>" in details and "<ins>New reason</ins>" in details
    assert "<del>A nurse</del>" in details and "<ins>A pharmacist</ins>" in details


def test_entries_are_under_day_headings(client_for, alice, project, org):
    _earlier_project(project, timedelta(days=10))
    old = _goal(project, alice, end_goal="Goal of yesterday")
    _earlier(old, timedelta(days=1))
    _goal(project, alice, end_goal="Goal of today")
    html = _timeline(client_for(alice), project)
    ten_days_ago = date_format(timezone.localdate() - timedelta(days=10), "DATE_FORMAT")
    headings = re.findall(r"<h2[^>]*><time[^>]*>(.*?)</time></h2>", html)
    assert headings == ["Today", "Yesterday", ten_days_ago]
    assert html.index("Goal of today") < html.index("Yesterday") < html.index("Goal of yesterday")


def test_the_timeline_pages_by_entries_not_by_rows(client_for, alice, project, django_assert_max_num_queries):
    _earlier_project(project)
    for i in range(30):
        option = _option(project, alice, f"Option {i:02}")
        _earlier(option, timedelta(minutes=1))
        matching.appraisal_save(project=project, user=alice, option=option, versions={},
                                values={c: ("3", "") for c in APEASE})
    client = client_for(alice)
    pages = []
    for number in (1, 2, 3):
        with django_assert_max_num_queries(50):
            pages.append(_entries(_timeline(client, project, page=number)))
    # 30 appraisals, 30 options, their barrier, iteration 1 and the project.
    assert [len(p) for p in pages] == [25, 25, 13]
    everything = [e for p in pages for e in p]
    rated = [e for e in everything if "APEASE" in e]
    assert rated == [f"Someone rated “Option {i:02}” on 6 APEASE criteria" for i in reversed(range(30))]
    assert set(everything[-2:]) == {"Someone started iteration 1", "Someone created the project"}
    assert len(everything) == len(set(rated)) + 30 + 3      # no entry twice, none lost
    assert everything.count("Someone added a candidate strategy") == 30


def test_numbers_show_without_needless_decimals(client_for, alice, project, org):
    criterion = SuccessCriterion.objects.create(organisation=org, project=project, iteration=project.current_iteration,
                                                description="Referrals", target_value=Decimal("40.00"),
                                                target_unit="referrals per month")
    _earlier(criterion, timedelta(hours=1))
    criterion.target_value, criterion.version = Decimal("42.50"), 2
    criterion.save()
    client = client_for(alice)
    html = _timeline(client, project)
    assert "Numeric target: <del>40</del> → <ins>42.50</ins>" in html
    url = reverse("projects:project_as_of", args=[org.slug, project.pk])
    html = client.get(url, {"when": timezone.localdate().isoformat()}).content.decode()
    assert "(42.50 referrals per month" in html
    criterion.target_value, criterion.version = Decimal("40.00"), 3
    criterion.save()
    html = client.get(url, {"when": timezone.localdate().isoformat()}).content.decode()
    assert "(40 referrals per month" in html and "40.00" not in html
