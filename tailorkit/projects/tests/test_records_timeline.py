from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tailorkit.projects.models import Barrier, Goal, Task

from .test_records_transfer import build_full_project


def _goal(project, user, **kw):
    return Goal.objects.create(organisation=project.organisation, project=project, created_by=user,
                               target_group=kw.get("target_group", "Adults"), end_goal=kw.get("end_goal", "More use"))


def test_the_timeline_shows_who_changed_what_before_and_after(client_for, alice, bob, project, org):
    client = client_for(bob)
    task = Task.objects.create(organisation=org, project=project, iteration=project.current_iteration,
                               title="Book a room", owner=bob)
    task.status, task.version = "done", 2
    task.save()
    Barrier.objects.create(organisation=org, project=project, custom_name="<script>alert(1)</script>")
    html = client.get(reverse("projects:project_timeline", args=[org.slug, project.pk])).content.decode()
    assert "Task status changed: To do → Done" in html
    assert "Barrier added" in html and "Task added" in html and "Project added" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.index("Barrier added") < html.index("Task status changed")   # newest first


def test_the_timeline_shows_the_user_who_made_a_change_through_a_page(client_for, alice, project, org):
    # A save in a request is attributed by simple-history's middleware; simulate it with history_user.
    goal = _goal(project, alice)
    goal.history.update(history_user=alice)
    html = client_for(alice).get(reverse("projects:project_timeline", args=[org.slug, project.pk])).content.decode()
    assert "Goal added" in html and "Alice Lead" in html


def test_the_timeline_filters_by_kind_and_iteration(client_for, alice, bob, project, org):
    build_full_project(project, alice, bob)
    client = client_for(alice)
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    html = client.get(url + "?kind=task").content.decode()
    assert "Task added" in html and "Goal added" not in html
    html = client.get(url + "?kind=iteration").content.decode()
    assert "Iteration 2 started" in html and "Strategy chosen:" in html
    html = client.get(url + "?iteration=2").content.decode()
    assert "Iteration 2 started" in html and "Goal added" not in html


def test_the_timeline_pages_through_older_entries(client_for, alice, project, org):
    for i in range(30):
        _goal(project, alice, end_goal=f"Goal number {i}")
    client = client_for(alice)
    url = reverse("projects:project_timeline", args=[org.slug, project.pk])
    first = client.get(url).content.decode()
    assert "Goal number 29" in first and "Goal number 2<" not in first and 'rel="next"' in first
    second = client.get(url + "?page=2").content.decode()
    assert "Project added" in second and 'rel="prev"' in second


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
            assert "Page 2" in html and "Project added" in html and 'rel="next"' not in html


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
