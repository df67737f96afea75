"""Long lists are shown a page at a time (issue 11): the project list, the tasks and success
criteria of steps 3 and 4, a review's judgements and the effort entries. A page holds at most its
page size of rows whatever the total, the next page shows the rest, and the number of queries does
not grow with the rows. Short lists look exactly as before: no page links at all."""

import datetime
import re

import pytest
from django.urls import reverse

from tailorkit.projects.models import EffortEntry, Project
from tailorkit.projects.selectors.review import JUDGEMENTS_SHOWN
from tailorkit.projects.services import projects as project_services
from tailorkit.projects.services import review as review_services
from tailorkit.projects.views import projects as project_views
from tailorkit.projects.views.step_pages import SECTION_PAGE_SIZE

from .factories import add_criteria, add_tasks, choose_strategy, tiny_packs, url


@pytest.fixture
def small_packs(db):
    return tiny_packs()


@pytest.fixture
def plan_project(org, alice, bob, small_packs):
    project = project_services.project_create(
        organisation=org, user=alice, name="Long plan", service="iCBT", team=[alice, bob],
        determinant_pack=small_packs["determinants"], strategy_pack=small_packs["strategies"])
    choose_strategy(project, alice)
    return project


def rows(html, prefix):
    """The ids of the table rows (``<tr id="task-12">``) or list items of a kind on the page."""
    return re.findall(rf'id="{prefix}-(\d+)"', html)


def get(client, address):
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


# --- the project list ------------------------------------------------------------------------------

def make_projects(org, user, packs, n, status=Project.Status.ACTIVE, name="P"):
    made = [project_services.project_create(
        organisation=org, user=user, name=f"{name} {i:03}", service="iCBT",
        determinant_pack=packs["determinants"], strategy_pack=packs["strategies"]) for i in range(n)]
    Project.objects.filter(pk__in=[p.pk for p in made]).update(status=status)
    return made


def listed(html):
    return re.findall(r'<th scope="row"><a href="[^"]+/projects/(\d+)/">', html)


def test_the_project_list_shows_a_page_of_projects_and_the_next_page_the_rest(client_for, alice, org, small_packs,
                                                                               monkeypatch):
    monkeypatch.setattr(project_views, "PROJECTS_PER_PAGE", 3)
    made = make_projects(org, alice, small_packs, 6)
    client = client_for(alice)
    base = reverse("projects:project_list", args=[org.slug])
    first = get(client, base)
    assert len(listed(first)) == 3
    assert "Page 1 of 2" in first and 'href="?show=active&amp;page=2"' in first
    second = get(client, base + "?show=active&page=2")
    assert len(listed(second)) == 3
    assert set(map(int, listed(first) + listed(second))) == {p.pk for p in made}
    assert ">Active <span class=\"badge\">6</span>" in second          # the tab counts every project


def test_page_links_keep_the_tab(client_for, alice, org, small_packs, monkeypatch):
    monkeypatch.setattr(project_views, "PROJECTS_PER_PAGE", 2)
    make_projects(org, alice, small_packs, 1)
    archived = make_projects(org, alice, small_packs, 3, status=Project.Status.ARCHIVED, name="Old")
    client = client_for(alice)
    base = reverse("projects:project_list", args=[org.slug])
    html = get(client, base + "?show=archived")
    assert 'href="?show=archived&amp;page=2"' in html
    assert listed(get(client, base + "?show=archived&page=2")) == [str(archived[0].pk)]   # oldest activity last
    assert "Page 1 of" not in get(client, base)                        # one active project: no page links


def test_the_project_list_makes_as_many_queries_for_many_projects_as_for_a_few(
        client_for, alice, org, small_packs, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(project_views, "PROJECTS_PER_PAGE", 3)
    client = client_for(alice)
    base = reverse("projects:project_list", args=[org.slug])
    counts = []
    for _size in (3, 6):
        make_projects(org, alice, small_packs, 3)
        with django_assert_max_num_queries(30) as captured:
            assert len(listed(get(client, base))) == 3
        counts.append(len(captured))
    assert Project.objects.count() == 6
    assert counts[0] == counts[1]


# --- step 3: tasks and success criteria -----------------------------------------------------------

def test_a_short_plan_has_no_page_links(client_for, alice, plan_project):
    add_tasks(plan_project.current_iteration, 5)
    html = get(client_for(alice), url("projects:project_step_plan", plan_project))
    assert len(rows(html, "task")) == 5 and "section-pages" not in html


def test_a_plan_of_many_tasks_shows_a_page_of_them_and_the_next_page_the_rest(client_for, alice, plan_project):
    iteration = plan_project.current_iteration
    tasks = add_tasks(iteration, 2 * SECTION_PAGE_SIZE)
    add_criteria(iteration, 2)
    client = client_for(alice)
    address = url("projects:project_step_plan", plan_project)
    first = get(client, address)
    assert len(rows(first, "task")) == SECTION_PAGE_SIZE
    assert f"({2 * SECTION_PAGE_SIZE})" in first                        # the "on this page" count is the total
    assert 'href="?tasks_page=2#tasks"' in first
    assert len(rows(first, "criterion")) == 2                             # the other list is not paged
    second = get(client, address + "?tasks_page=2")
    assert set(rows(first, "task")) | set(rows(second, "task")) == {str(t.pk) for t in tasks}
    assert len(rows(second, "task")) == SECTION_PAGE_SIZE


def test_criteria_are_paged_on_their_own_and_links_keep_the_iteration_and_the_other_page(client_for, alice,
                                                                                          plan_project):
    iteration = plan_project.current_iteration
    add_tasks(iteration, SECTION_PAGE_SIZE + 1)
    criteria = add_criteria(iteration, SECTION_PAGE_SIZE + 1)
    html = get(client_for(alice), url("projects:project_step_plan", plan_project, iteration=iteration.number)
               + "&tasks_page=2")
    assert rows(html, "criterion") == [str(c.pk) for c in criteria[:SECTION_PAGE_SIZE]]
    assert len(rows(html, "task")) == 1
    assert f'href="?iteration={iteration.number}&amp;tasks_page=2&amp;criteria_page=2#criteria"' in html


def test_the_plan_page_makes_as_many_queries_for_many_tasks_as_for_a_few(client_for, alice, plan_project,
                                                                       django_assert_max_num_queries):
    iteration = plan_project.current_iteration
    client = client_for(alice)
    counts = []
    for n in (SECTION_PAGE_SIZE, 2 * SECTION_PAGE_SIZE):
        add_tasks(iteration, n - len(counts) * SECTION_PAGE_SIZE, owner=alice)
        add_criteria(iteration, n - len(counts) * SECTION_PAGE_SIZE)
        with django_assert_max_num_queries(60) as captured:
            get(client, url("projects:project_step_plan", plan_project))
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- step 4: success criteria and the judgements of reviews ----------------------------------------

def review_all(iteration, user, criteria):
    return review_services.review_create(
        iteration=iteration, user=user, review_date=datetime.date.today(), what_was_done="Did it",
        judgements=[{"criterion": c.pk, "verdict": "met" if i % 2 else "not_met", "evidence": f"ev {i}"}
                    for i, c in enumerate(criteria)])


def judgement_rows(html):
    return re.findall(r'<td><span class="verdict verdict-', html)


def test_step_4_pages_its_criteria_windows_each_review_and_offers_the_form_on_its_own_page(client_for, alice,
                                                                                           plan_project):
    iteration = plan_project.current_iteration
    criteria = add_criteria(iteration, 2 * SECTION_PAGE_SIZE)
    review = review_all(iteration, alice, criteria)
    client = client_for(alice)
    address = url("projects:project_step_review", plan_project)
    html = get(client, address)
    assert html.count("<li>Criterion ") == SECTION_PAGE_SIZE
    assert 'href="?criteria_page=2#criteria"' in html
    assert len(judgement_rows(html)) == JUDGEMENTS_SHOWN
    assert f"{SECTION_PAGE_SIZE} of {2 * SECTION_PAGE_SIZE} criteria met" in html   # counted over all of them
    assert 'name="verdict_' not in html                                   # no form of a hundred fieldsets here
    assert reverse("projects:project_review_create", args=[plan_project.organisation.slug, plan_project.pk]) in html
    shown = re.compile(r"<li>Criterion (\d+)")
    second = get(client, address + "?criteria_page=2")
    assert set(shown.findall(html)) | set(shown.findall(second)) == {str(i) for i in range(len(criteria))}
    complete = get(client, address + f"?review={review.pk}")
    assert len(judgement_rows(complete)) == 2 * SECTION_PAGE_SIZE


def test_step_4_with_a_few_criteria_is_as_before(client_for, alice, plan_project):
    iteration = plan_project.current_iteration
    criteria = add_criteria(iteration, 3)
    review_all(iteration, alice, criteria)
    html = get(client_for(alice), url("projects:project_step_review", plan_project))
    assert html.count("<li>Criterion ") == 3 and len(judgement_rows(html)) == 3
    assert "section-pages" not in html and "Show all the judgements" not in html
    assert html.count('name="verdict_') == 3 * 5                          # the inline form: "not judged" + 4 verdicts
    assert "1 of 3 criteria met" in html


def test_step_4_makes_as_many_queries_for_many_criteria_as_for_a_few(client_for, alice, plan_project,
                                                                    django_assert_max_num_queries):
    iteration = plan_project.current_iteration
    client = client_for(alice)
    counts = []
    for n in (SECTION_PAGE_SIZE + 1, 2 * SECTION_PAGE_SIZE + 1):
        criteria = add_criteria(iteration, n - len(counts) * SECTION_PAGE_SIZE - (1 if counts else 0))
        review_all(iteration, alice, criteria)
        with django_assert_max_num_queries(60) as captured:
            get(client, url("projects:project_step_review", plan_project))
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- effort ----------------------------------------------------------------------------------------

def test_the_effort_list_shows_a_page_of_entries_and_the_next_page_the_rest(client_for, alice, plan_project):
    made = EffortEntry.objects.bulk_create(
        EffortEntry(organisation=plan_project.organisation, project=plan_project, user=alice, minutes=10,
                    date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i), step="plan", activity=f"Work {i}")
        for i in range(100))
    client = client_for(alice)
    address = reverse("projects:project_effort", args=[plan_project.organisation.slug, plan_project.pk])
    first, second = get(client, address), get(client, address + "?page=2")
    entries = re.compile(r"<td>Work (\d+)</td>")
    assert len(entries.findall(first)) == 50 and len(entries.findall(second)) == 50
    assert set(entries.findall(first)) | set(entries.findall(second)) == {str(i) for i in range(len(made))}
    assert "1000 minutes in all" in second                                # the totals count every entry


# --- step 2: suggestions ---------------------------------------------------------------------------

def test_step_2_shows_the_best_suggestions_of_a_barrier_and_all_of_them_on_request(client_for, alice, org, packs,
                                                                                   monkeypatch):
    from tailorkit.projects.views import matching as matching_views

    from .test_matching import focus_on, make_project

    project = make_project(org, alice)
    barrier = focus_on(project, alice, "Adaptability")
    client = client_for(alice)
    address = reverse("projects:project_step_match", args=[org.slug, project.pk])
    everything = get(client, address)
    articles = re.compile(r'<li><article>\s*<header><strong><a href="[^"]+">([^<]+)</a>')
    ranked = articles.findall(everything)
    assert len(ranked) > 3 and "more suggestions for this barrier" not in everything   # shipped data: all shown
    monkeypatch.setattr(matching_views, "SUGGESTIONS_SHOWN", 3)
    capped = get(client, address)
    assert articles.findall(capped) == ranked[:3]                          # the best ranked first
    assert f"Show {len(ranked) - 3} more suggestions for this barrier" in capped
    assert f'href="?suggestions={barrier.pk}#barrier-{barrier.pk}"' in capped
    assert articles.findall(get(client, address + f"?suggestions={barrier.pk}")) == ranked
