"""The iteration switcher of the step pages and the project page's list of iterations show a short
window of iterations however many a project has (issue 11): the newest ones, or those around an
earlier iteration that is shown, with links to the ones before and after."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tailorkit.projects.models import Iteration
from tailorkit.projects.selectors.iterations import SWITCHER_SIZE, iterations_around
from tailorkit.projects.services import projects as project_services

from .factories import tiny_packs, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org, alice):
    packs = tiny_packs()
    return project_services.project_create(
        organisation=org, user=alice, name="Many rounds", service="iCBT", team=[alice],
        determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])


def add_iterations(project, upto):
    """Iterations 2..upto, each started a day after the one before (written directly: a test of
    reading, not of going back)."""
    start = timezone.now() - timedelta(days=upto)
    Iteration.objects.bulk_create(
        Iteration(project=project, organisation=project.organisation, number=n,
                  back_to=Iteration.BackTo.BARRIERS, started_at=start + timedelta(days=n))
        for n in range(2, upto + 1))


def switcher_numbers(html):
    table = html.split('class="iteration-switcher"', 1)[1].split("</table>", 1)[0]
    return [int(n) for n in re.findall(r"Iteration (\d+)", table)]


def test_a_project_with_few_iterations_shows_them_all_without_page_links(client_for, alice, project):
    add_iterations(project, 3)
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    assert switcher_numbers(html) == [1, 2, 3]
    assert "Earlier iterations" not in html


def test_the_switcher_shows_the_newest_iterations_and_links_to_earlier_ones(client_for, alice, project):
    add_iterations(project, 40)
    client = client_for(alice)
    html = client.get(url("projects:project_step_goals", project)).content.decode()
    assert switcher_numbers(html) == list(range(40 - SWITCHER_SIZE + 1, 41))
    assert "Iterations 31 to 40 of 40." in html
    earlier = re.search(r'href="\?iteration=(\d+)">Earlier iterations', html)
    assert earlier and int(earlier[1]) == 30
    # Following the link shows iteration 30, read-only, among its neighbours; the current one
    # is still the newest.
    html = client.get(url("projects:project_step_goals", project) + "?iteration=30").content.decode()
    numbers = switcher_numbers(html)
    assert 30 in numbers and len(numbers) == SWITCHER_SIZE and 40 not in numbers
    assert "You are reading iteration 30" in html
    assert "Later iterations" in html


def test_an_iteration_ends_when_the_next_began_even_at_the_edge_of_the_window(project):
    add_iterations(project, 25)
    window = iterations_around(project, 5)
    last = window.rows[-1]
    following = Iteration.objects.get(project=project, number=last.number + 1)
    assert last.ended_at == following.started_at
    assert window.current.number == 25 and window.total == 25


def test_unknown_or_absurd_iteration_numbers_are_404(client_for, alice, project):
    client = client_for(alice)
    for raw in ("7", "abc", "99999999999999999999"):
        assert client.get(url("projects:project_step_goals", project) + f"?iteration={raw}").status_code == 404


def test_the_step_page_reads_as_many_queries_for_many_iterations_as_for_a_few(client_for, alice, project, org):
    client = client_for(alice)
    add_iterations(project, 12)
    client.get(url("projects:project_step_goals", project))  # warm caches (packs, chart cache table)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("projects:project_step_goals", project)).status_code == 200
    add_iterations_more(project, 12, 60)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("projects:project_step_goals", project)).status_code == 200
    assert len(many) == len(few)


def add_iterations_more(project, after, upto):
    start = timezone.now() + timedelta(days=1)
    Iteration.objects.bulk_create(
        Iteration(project=project, organisation=project.organisation, number=n,
                  back_to=Iteration.BackTo.PLAN, started_at=start + timedelta(days=n))
        for n in range(after + 1, upto + 1))


def test_the_project_page_lists_the_newest_iterations_and_says_how_many_there_are(client_for, alice, project):
    add_iterations(project, 30)
    html = client_for(alice).get(url("projects:project_home", project)).content.decode()
    assert f"The newest {SWITCHER_SIZE} of 30 iterations." in html
    assert f'<ol start="{30 - SWITCHER_SIZE + 1}">' in html
