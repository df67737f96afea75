"""The API's project routes answer a bounded amount whatever the data (issue 11): the project list
and the effort entries a page at a time with ``count``, ``next`` and ``previous``; the project
detail with its current iteration in full and links to the newest ones, and a route that pages
through all of them in full, a few at a time."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tailorkit.api.pagination import FULL_ROWS_DEFAULT_LIMIT, FULL_ROWS_MAX_LIMIT
from tailorkit.projects.models import EffortEntry, Iteration, Project, SuccessCriterion, Task
from tailorkit.projects.selectors.iterations import ROWS_IN_ITERATION
from tailorkit.projects.selectors.projects import ITERATIONS_IN_DETAIL
from tailorkit.projects.services.projects import project_create


@pytest.fixture
def make(org, alice, library):
    def _make(n, name="P"):
        return [project_create(organisation=org, user=alice, name=f"{name} {i}", service="iCBT",
                               determinant_pack=library["determinants"], strategy_pack=library["strategies"])
                for i in range(n)]
    return _make


def test_the_project_list_is_paged_with_its_count_and_the_next_page(bearer, alice, org, make):
    made = make(5)
    client = bearer(alice)
    base = f"/api/organisations/{org.slug}/projects"
    first = client.get(f"{base}?limit=2").json()
    assert first["count"] == 5 and len(first["items"]) == 2
    assert first["previous"] is None
    assert first["next"] == f"http://testserver{base}?limit=2&offset=2"
    seen = [p["id"] for p in first["items"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [p["id"] for p in page["items"]]
    assert sorted(seen) == sorted(p.pk for p in made) and len(seen) == 5
    assert page["previous"] == f"http://testserver{base}?limit=2&offset=2"


def test_page_links_keep_the_filter_and_the_limit_is_bounded(bearer, alice, org, make):
    archived = make(3, name="Old")
    Project.objects.filter(pk__in=[p.pk for p in archived]).update(status=Project.Status.ARCHIVED)
    make(1)
    client = bearer(alice)
    base = f"/api/organisations/{org.slug}/projects"
    body = client.get(f"{base}?status=archived&limit=1").json()
    assert body["count"] == 3 and "status=archived" in body["next"]
    assert client.get(f"{base}?limit=501").status_code == 422
    assert client.get(base).json()["count"] == 1


def test_the_project_list_makes_as_many_queries_for_many_projects_as_for_a_few(
        bearer, alice, org, make, django_assert_max_num_queries):
    client = bearer(alice)
    counts = []
    for _size in (2, 4):
        make(2)
        with django_assert_max_num_queries(20) as captured:
            assert len(client.get(f"/api/organisations/{org.slug}/projects?limit=2").json()["items"]) == 2
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_project_list_reads_only_the_columns_it_shows(bearer, alice, org, make):
    # A page of 100 projects names about 1,100 team members: whole user rows (password hash, two
    # dates each) and whole content packs cost several times what the answer shows.
    make(2)
    with CaptureQueriesContext(connection) as captured:
        body = bearer(alice).get(f"/api/organisations/{org.slug}/projects").json()
    assert body["items"][0]["team"] and body["items"][0]["determinant_pack"]
    listed = [q["sql"] for q in captured.captured_queries if "projects_project" in q["sql"]]
    assert listed and not [sql for sql in listed if '"password"' in sql or '"date_joined"' in sql
                           or '"library_contentpack"."description"' in sql]


def test_the_detail_holds_the_current_iteration_in_full_and_links_to_the_newest(bearer, alice, org, make):
    project = make(1)[0]
    Iteration.objects.bulk_create(Iteration(organisation=org, project=project, number=n)
                                  for n in range(2, ITERATIONS_IN_DETAIL + 6))
    total = ITERATIONS_IN_DETAIL + 5
    client = bearer(alice)
    url = f"/api/organisations/{org.slug}/projects/{project.pk}"
    body = client.get(url).json()
    assert "iterations" not in body
    assert body["current_iteration"]["number"] == total and body["current_iteration"]["tasks"] == []
    recent = body["recent_iterations"]
    assert [i["number"] for i in recent] == list(range(6, total + 1))
    assert "tasks" not in recent[0]
    assert recent[0]["url"] == f"http://testserver{url}/iterations/6"
    assert client.get(recent[0]["url"]).json()["number"] == 6
    assert body["iterations_count"] == total
    assert body["iterations_url"] == f"http://testserver{url}/iterations"


def test_the_iterations_are_paged_ten_at_a_time_and_fifty_at_most(bearer, alice, org, make):
    project = make(1)[0]
    total = FULL_ROWS_DEFAULT_LIMIT + 3
    Iteration.objects.bulk_create(Iteration(organisation=org, project=project, number=n)
                                  for n in range(2, total + 1))
    client = bearer(alice)
    url = f"/api/organisations/{org.slug}/projects/{project.pk}/iterations"
    first = client.get(url).json()
    assert first["count"] == total
    assert [i["number"] for i in first["items"]] == list(range(1, FULL_ROWS_DEFAULT_LIMIT + 1))
    rest = client.get(first["next"]).json()
    assert [i["number"] for i in rest["items"]] == list(range(FULL_ROWS_DEFAULT_LIMIT + 1, total + 1))
    assert rest["next"] is None
    assert len(client.get(f"{url}?limit=4").json()["items"]) == 4
    assert client.get(f"{url}?limit={FULL_ROWS_MAX_LIMIT}").status_code == 200
    assert client.get(f"{url}?limit={FULL_ROWS_MAX_LIMIT + 1}").status_code == 422


def test_the_detail_makes_as_many_queries_for_many_iterations_as_for_a_few(bearer, alice, org, make,
                                                                          django_assert_max_num_queries):
    project = make(1)[0]
    client = bearer(alice)
    counts = []
    for extra in (ITERATIONS_IN_DETAIL, 2 * ITERATIONS_IN_DETAIL):
        first = Iteration.objects.filter(project=project).count() + 1
        Iteration.objects.bulk_create(Iteration(organisation=org, project=project, number=n)
                                      for n in range(first, extra + 2))
        with django_assert_max_num_queries(40) as captured:
            body = client.get(f"/api/organisations/{org.slug}/projects/{project.pk}").json()
        assert len(body["recent_iterations"]) == ITERATIONS_IN_DETAIL
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_effort_entries_are_paged_and_the_totals_count_them_all(bearer, alice, org, make):
    project = make(1)[0]
    EffortEntry.objects.bulk_create(
        EffortEntry(organisation=org, project=project, user=alice, minutes=10, step="plan", activity=f"Work {i}",
                    date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i)) for i in range(5))
    client = bearer(alice)
    base = f"/api/organisations/{org.slug}/projects/{project.pk}/effort"
    body = client.get(f"{base}?limit=2").json()
    assert body["entries_count"] == 5 and body["total_minutes"] == 50
    assert [e["activity"] for e in body["entries"]] == ["Work 4", "Work 3"]          # newest first
    assert body["next"].endswith("/effort?limit=2&offset=2") and body["previous"] is None
    last = client.get(f"{base}?limit=2&offset=4").json()
    assert [e["activity"] for e in last["entries"]] == ["Work 0"] and last["next"] is None


def test_an_iteration_carries_its_first_tasks_and_criteria_and_pages_the_rest(bearer, alice, org, make):
    project = make(1)[0]
    iteration = project.iterations.get()
    extra = 7
    Task.objects.bulk_create(Task(organisation=org, project=project, iteration=iteration, title=f"Task {i:03d}",
                                  due_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=i))
                             for i in range(ROWS_IN_ITERATION + extra))
    SuccessCriterion.objects.bulk_create(SuccessCriterion(organisation=org, project=project, iteration=iteration,
                                                          description=f"Criterion {i}")
                                         for i in range(ROWS_IN_ITERATION + extra))
    client = bearer(alice)
    base = f"/api/organisations/{org.slug}/projects/{project.pk}"
    for body in (client.get(base).json()["current_iteration"], client.get(f"{base}/iterations/1").json(),
                 client.get(f"{base}/iterations").json()["items"][0]):
        assert [t["title"] for t in body["tasks"]] == [f"Task {i:03d}" for i in range(ROWS_IN_ITERATION)]
        assert len(body["criteria"]) == ROWS_IN_ITERATION
        assert body["tasks_count"] == body["criteria_count"] == ROWS_IN_ITERATION + extra
        assert body["tasks_url"] == f"http://testserver{base}/iterations/1/tasks"
        assert body["criteria_url"] == f"http://testserver{base}/iterations/1/criteria"
    page = client.get(f"{base}/iterations/1/tasks?offset={ROWS_IN_ITERATION}").json()
    assert page["count"] == ROWS_IN_ITERATION + extra
    rest = [f"Task {i:03d}" for i in range(ROWS_IN_ITERATION, ROWS_IN_ITERATION + extra)]
    assert [t["title"] for t in page["items"]] == rest
    assert len(client.get(f"{base}/iterations/1/criteria?limit=5").json()["items"]) == 5
    assert client.get(f"{base}/iterations/2/tasks").status_code == 404
