"""Every step page reads an earlier iteration with ``?iteration=<number>``: read-only, with the
same note and switcher on the goals and matching pages as on the plan and review pages, and a
write posted for an earlier iteration is refused."""

import pytest
from django.core.exceptions import ValidationError

from tailorkit.projects.models import Focus, Iteration
from tailorkit.projects.services import goals, matching
from tailorkit.projects.services import review as reviewing

from .factories import url

EARLIER = "an earlier iteration"
REFUSED = "can be read but no longer changed"


@pytest.fixture
def went_back(project, alice):
    """Iteration 1 focused on a goal and a barrier and chose "Rooms"; the team then went back to
    the goals, so iteration 2 starts without a focus."""
    goal = goals.goal_create(project=project, user=alice, target_group="Adults", end_goal="More patients start")
    barrier = goals.barrier_add_custom(project=project, user=alice, name="No rooms", category="Resources")
    first = project.current_iteration
    goals.focus_set(project=project, user=alice, iteration=first, version=first.version, goals=[goal],
                    barriers=[barrier])
    option = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    first.refresh_from_db()
    matching.option_choose(project=project, user=alice, iteration=first, option=option, version=first.version,
                           justification="The cheapest")
    reviewing.decision_record(iteration=first, user=alice, kind="back_goals", reason="Wrong goal")
    first.refresh_from_db()
    return {"first": first, "goal": goal, "barrier": barrier, "option": option}


def page(client, name, project, iteration=None):
    response = client.get(url(name, project, iteration=iteration))
    assert response.status_code == 200
    return response.content.decode()


def test_the_goals_page_shows_an_earlier_iteration_read_only(client_for, alice, project, went_back):
    html = page(client_for(alice), "projects:project_step_goals", project, iteration=1)
    assert EARLIER in html and "Focus for iteration 1" in html and "In focus" in html
    assert "Add a goal" not in html and "Save my ratings" not in html and "Set the focus" not in html
    assert 'href="?iteration=2"' in html


def test_the_goals_page_of_the_current_iteration_can_still_be_changed(client_for, alice, project, went_back):
    html = page(client_for(alice), "projects:project_step_goals", project)
    assert EARLIER not in html and "Focus for iteration 2" in html and "Set the focus" in html
    assert 'href="?iteration=1"' in html  # the switcher, as there are two iterations


def test_with_one_iteration_the_goals_page_has_no_switcher(client_for, alice, project):
    html = page(client_for(alice), "projects:project_step_goals", project)
    assert "Iterations of this project" not in html


def test_the_matching_page_shows_an_earlier_iteration_read_only(client_for, alice, project, went_back):
    client = client_for(alice)
    html = page(client, "projects:project_step_match", project, iteration=1)
    assert EARLIER in html and "Chosen strategy for iteration 1" in html and "The cheapest" in html
    assert "Appraise" not in html and "Add a custom strategy" not in html and 'href="?iteration=2"' in html
    html = page(client, "projects:project_step_match", project)
    assert EARLIER not in html and "Iteration 2 has no focused barrier yet" in html


@pytest.mark.parametrize("name", ["projects:project_step_goals", "projects:project_step_match"])
def test_an_unknown_or_malformed_iteration_is_a_404(client_for, alice, project, name):
    client = client_for(alice)
    assert client.get(url(name, project, iteration=9)).status_code == 404
    assert client.get(url(name, project) + "?iteration=x").status_code == 404


@pytest.mark.parametrize("name", ["projects:project_step_goals", "projects:project_step_match"])
def test_a_viewer_reads_an_earlier_iteration(client_for, dave, project, went_back, name):
    assert EARLIER in page(client_for(dave), name, project, iteration=1)


def test_a_focus_posted_for_an_earlier_iteration_is_refused(client_for, alice, project, went_back):
    other = goals.barrier_add_custom(project=project, user=alice, name="No staff", category="Resources")
    response = client_for(alice).post(
        url("projects:project_focus_set", project, iteration=1),
        {"goals": [went_back["goal"].pk], "barriers": [other.pk], "version": went_back["first"].version},
        follow=True)
    assert REFUSED in response.content.decode()
    assert response.redirect_chain[0][0] == url("projects:project_step_goals", project, iteration=1)
    assert list(Focus.objects.filter(iteration=went_back["first"], barrier__isnull=False)
                .values_list("barrier_id", flat=True)) == [went_back["barrier"].pk]
    assert not Focus.objects.filter(iteration__number=2).exists()


def test_a_choice_posted_for_an_earlier_iteration_is_refused(client_for, alice, project, went_back):
    choose = url("projects:project_option_choose", project, went_back["option"].pk, iteration=1)
    client = client_for(alice)
    assert client.get(choose)["Location"] == url("projects:project_step_match", project, iteration=1)
    response = client.post(choose, {"justification": "Changed later", "version": went_back["first"].version},
                           follow=True)
    assert REFUSED in response.content.decode()
    first = Iteration.objects.get(pk=went_back["first"].pk)
    assert (first.chosen_option, first.choice_justification) == (went_back["option"], "The cheapest")
    assert Iteration.objects.get(number=2).chosen_option is None


def test_the_services_refuse_a_focus_or_a_choice_for_an_earlier_iteration(alice, project, went_back):
    first = went_back["first"]
    with pytest.raises(ValidationError, match="earlier iteration"):
        goals.focus_set(project=project, user=alice, iteration=first, version=first.version,
                        goals=[went_back["goal"]], barriers=[went_back["barrier"]])
    with pytest.raises(ValidationError, match="earlier iteration"):
        matching.option_choose(project=project, user=alice, iteration=first, option=went_back["option"],
                               version=first.version, justification="Again")
