"""The progress of many projects at once (``selectors.progress.projects_progress``) costs the same
number of queries for 2 projects as for 20, and says exactly what the one-project read says."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tailorkit.projects.models import Project, Specification
from tailorkit.projects.selectors.progress import (
    next_action,
    project_counts,
    project_progress,
    projects_progress,
    step_states,
)
from tailorkit.projects.services import goals, matching, planning, projects
from tailorkit.projects.services import review as reviewing

from .factories import tiny_packs


def make_project(org, alice, bob, i):
    """Project number ``i`` goes a different distance round the cycle (0: nothing done yet, up to
    8: a second iteration after going back to the plan)."""
    packs = tiny_packs()
    project = projects.project_create(organisation=org, user=alice, name=f"P{i}", service="iCBT",
                                      team=[alice, bob] if i % 2 else [alice],
                                      determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])
    stage = i % 9
    if stage >= 1:
        goal = goals.goal_create(project=project, user=alice, target_group="Adults", end_goal=f"Goal {i}")
        first = goals.barrier_add_custom(project=project, user=alice, name=f"Barrier {i}", category="C")
        other = goals.barrier_add_custom(project=project, user=alice, name="Another", category="C")
        matching.option_add_custom(project=project, user=alice, barrier=other, name="Not focused", description="d")
    if stage >= 2:
        goals.ratings_save(project=project, user=alice, ratings={first.pk: (4, 3)})
        goals.ratings_save(project=project, user=bob, ratings={first.pk: (2, 5), other.pk: (1, 1)})
    if stage >= 3:
        iteration = project.current_iteration
        goals.focus_set(project=project, user=alice, iteration=iteration, version=iteration.version, goals=[goal],
                        barriers=[first])
        option = matching.option_add_custom(project=project, user=alice, barrier=first, name="S", description="d")
        matching.option_add_custom(project=project, user=alice, barrier=first, name="T", description="d")
    if stage >= 4:
        iteration.refresh_from_db()
        matching.option_choose(project=project, user=alice, iteration=iteration, option=option,
                               version=iteration.version, justification="j")
    if stage >= 5:
        planning.spec_save(iteration=iteration, user=alice, version=None,
                           data={f: "Said" for f in Specification.PLANNING_FIELDS})
        planning.task_create(iteration=iteration, user=alice, title="Do it")
        planning.criterion_create(iteration=iteration, user=alice, description="It worked")
    if stage >= 6:
        reviewing.review_create(iteration=iteration, user=alice, review_date=timezone.localdate(),
                                what_was_done="Done")
    if stage >= 7:
        reviewing.decision_record(iteration=iteration, user=alice, kind="continue")
        reviewing.decision_record(iteration=iteration, user=bob, kind="stop_other", reason="Funding")
    if stage >= 8:  # the stop is reopened, then the team goes back to the plan
        projects.project_reopen(project=project, user=alice, reason="Funding found")
        reviewing.decision_record(iteration=iteration, user=alice, kind="back_plan", reason="Sharpen")
    return project


@pytest.fixture
def many(org, alice, bob):
    def build(n):
        ids = [make_project(org, alice, bob, i).pk for i in range(n)]
        return list(Project.objects.filter(pk__in=ids).select_related("organisation").order_by("name"))

    return build


def count_queries(projects_list):
    with CaptureQueriesContext(connection) as captured:
        projects_progress(projects_list)
    return len(captured.captured_queries)


def test_the_batched_progress_costs_the_same_queries_for_2_and_20_projects(many):
    everything = many(20)
    assert count_queries(everything[:2]) == count_queries(everything) <= 4


def test_the_batched_progress_equals_the_progress_of_each_project(many):
    everything = many(20)
    batched = projects_progress(everything)
    assert set(batched) == {p.pk for p in everything}
    for project in everything:
        iteration = project.current_iteration
        one = project_counts(project, iteration)
        assert batched[project.pk].key() == one.key(), project.name
        states, action = project_progress(project, iteration)
        assert step_states(batched[project.pk]) == states, project.name
        assert next_action(project, batched[project.pk]) == action, project.name
    # The projects really are at different points of the cycle.
    assert len({next_action(p, batched[p.pk])[0] for p in everything}) >= 8


def test_the_step_facts_use_the_singular_for_one():
    from tailorkit.projects.selectors.progress import Counts, step_states

    states = step_states(Counts(team=1, goals=1, barriers=2, tasks=1, criteria=1, reviews=1, options=1))
    facts = [fact for state in states.values() for fact in state.done]
    assert {"1 goal", "2 barriers", "1 task", "1 success criterion", "1 review", "1 candidate strategy"} <= set(facts)
