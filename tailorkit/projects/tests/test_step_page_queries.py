"""Step pages do not make more queries as goals, barriers and options grow (2 vs 20)."""

import pytest
from django.urls import reverse

from tailorkit.library.models import Item
from tailorkit.projects.models import APEASE
from tailorkit.projects.services import goals as goal_services
from tailorkit.projects.services import matching

from .test_matching import make_project


def fill(project, users, n):
    # The first focused barrier has evidence links (Allen 2023), the second none: both paths of the page.
    items = list(Item.objects.filter(pack=project.determinant_pack, name="Adaptability")) + list(
        Item.objects.filter(pack=project.determinant_pack).exclude(name="Adaptability").order_by("order")[:n - 1])
    goals = [goal_services.goal_create(project=project, user=users[0], target_group=f"G{i}", end_goal=f"E{i}")
             for i in range(n)]
    barriers = [goal_services.barrier_add_from_pack(project=project, user=users[0], item=item) for item in items]
    for user in users:
        goal_services.ratings_save(project=project, user=user, ratings={b.pk: (3, 4) for b in barriers})
    it = project.current_iteration
    goal_services.focus_set(project=project, user=users[0], iteration=it, version=it.version, goals=goals[:2],
                    barriers=barriers[:2], reason="two at once")
    strategies = list(Item.objects.filter(pack=project.strategy_pack).order_by("order")[:n])
    for i, strategy in enumerate(strategies):
        option = matching.option_add_from_pack(project=project, user=users[0], barrier=barriers[i % 2], item=strategy)
        matching.appraisal_save(project=project, user=users[0], option=option,
                                values={c: ("3", "note") for c in APEASE}, versions={})
    matching.option_choose(project=project, user=users[0], iteration=project.current_iteration, option=option,
                           version=project.current_iteration.version, justification="j")


def count(client, project, name, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(reverse(name, args=[project.organisation.slug, project.pk])).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["projects:project_step_goals", "projects:project_step_match"])
def test_step_pages_make_the_same_number_of_queries_for_2_and_20_rows(client_for, alice, bob, org, packs, page,
                                                                     django_assert_max_num_queries):
    small, large = make_project(org, alice, "Small"), make_project(org, alice, "Large")
    fill(small, [alice, bob], 2)
    fill(large, [alice, bob], 20)
    client = client_for(alice)
    n_small = count(client, small, page, django_assert_max_num_queries, 40)
    n_large = count(client, large, page, django_assert_max_num_queries, 40)
    assert n_small == n_large
