from django.urls import reverse

from tailorkit.library.models import ContentPack, Item
from tailorkit.projects.models import Barrier, Goal
from tailorkit.projects.services import goals


def url(name, project, *args):
    return reverse(name, args=[project.organisation.slug, project.pk, *args])


def test_a_member_writes_a_goal_and_sees_it_on_the_step_page(client_for, bob, project):
    client = client_for(bob)
    response = client.post(
        url("projects:project_goal_create", project),
        {
            "target_group": "Adults with mild depression",
            "end_goal": "Half of referred patients start iCBT",
            "emphasis": "reach",
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get(project=project)
    assert goal.organisation == project.organisation and goal.created_by == bob
    html = client.get(url("projects:project_step_goals", project)).content.decode()
    assert "Half of referred patients start iCBT" in html and "Adults with mild depression" in html


def test_empty_and_over_long_goal_fields_get_a_message_at_the_field(client_for, alice, project):
    response = client_for(alice).post(
        url("projects:project_goal_create", project), {"target_group": "   ", "end_goal": "x" * 2001, "emphasis": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Say who should benefit." in html
    assert "at most 2000 characters" in html
    assert not Goal.objects.exists()


def test_a_stale_goal_edit_is_refused_and_shows_both_versions(client_for, alice, bob, project):
    goal = goals.goal_create(project=project, user=alice, target_group="Adults", end_goal="More referrals")
    edit = url("projects:project_goal_edit", project, goal.pk)
    client_for(bob).post(edit, {"target_group": "Adults", "end_goal": "Bob's goal", "version": 1})
    response = client_for(alice).post(edit, {"target_group": "Adults", "end_goal": "Alice's goal", "version": 1})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this" in html and "Bob&#x27;s goal" in html and "Alice&#x27;s goal" in html
    assert 'name="version" value="2"' in html
    goal.refresh_from_db()
    assert goal.end_goal == "Bob's goal"


def test_deleting_a_goal_asks_first(client_for, alice, project):
    goal = goals.goal_create(project=project, user=alice, target_group="Adults", end_goal="More referrals")
    client = client_for(alice)
    delete = url("projects:project_goal_delete", project, goal.pk)
    assert "Yes, delete" in client.get(delete).content.decode()
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert client.post(delete).status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_a_viewer_cannot_write_goals(client_for, dave, project):
    assert (
        client_for(dave)
        .post(url("projects:project_goal_create", project), {"target_group": "A", "end_goal": "B"})
        .status_code
        == 403
    )
    assert client_for(dave).get(url("projects:project_step_goals", project)).status_code == 200


def test_barriers_are_browsed_by_category_and_searched_within_the_projects_list(client_for, alice, project):
    client = client_for(alice)
    category = project.determinant_pack.categories.get(code="acceptance")
    html = client.get(url("projects:project_barrier_add", project) + f"?category={category.pk}").content.decode()
    assert "Access to treatment" in html
    html = client.get(url("projects:project_barrier_add", project) + "?q=adaptab").content.decode()
    # "Adaptability" exists in CFIR, but this project's list is the iCBT one.
    assert "Adaptability" not in html
    html = client.get(url("projects:project_barrier_add", project) + "?q=access").content.decode()
    assert "Access to treatment" in html


def test_a_barrier_is_added_from_the_list_once(client_for, alice, project):
    item = Item.objects.get(pack=project.determinant_pack, name="Access to treatment")
    client = client_for(alice)
    assert client.post(url("projects:project_barrier_add", project), {"item": item.pk}).status_code == 302
    barrier = Barrier.objects.get(project=project)
    assert barrier.item == item and barrier.organisation == project.organisation
    response = client.post(url("projects:project_barrier_add", project), {"item": item.pk})
    assert response.status_code == 400 and "already on your list" in response.content.decode()
    assert Barrier.objects.count() == 1


def test_a_barrier_from_another_pack_is_refused_with_a_clear_message(client_for, alice, project):
    cfir = Item.objects.get(pack__slug="cfir-2009", name="Adaptability")
    response = client_for(alice).post(url("projects:project_barrier_add", project), {"item": cfir.pk})
    assert response.status_code == 400
    assert "not in this project&#x27;s barrier list" in response.content.decode()
    assert not Barrier.objects.exists()
    response = client_for(alice).post(url("projects:project_barrier_add", project), {"item": "abc"})
    assert response.status_code == 400 and not Barrier.objects.exists()


def test_a_custom_barrier_needs_a_name_and_a_category_and_suggests_the_packs_categories(client_for, alice, project):
    client = client_for(alice)
    html = client.get(url("projects:project_barrier_custom", project)).content.decode()
    assert '<datalist id="barrier-categories">' in html and "Work processes" in html
    response = client.post(url("projects:project_barrier_custom", project), {"name": "", "category": "", "notes": ""})
    html = response.content.decode()
    assert "Name the barrier." in html and "Give the barrier a category" in html
    response = client.post(
        url("projects:project_barrier_custom", project), {"name": "x" * 301, "category": "Resources"}
    )
    assert "at most 300 characters" in response.content.decode()
    client.post(
        url("projects:project_barrier_custom", project),
        {"name": "No private rooms", "category": "Resources", "notes": "Video sessions from open offices"},
    )
    barrier = Barrier.objects.get()
    assert barrier.is_custom and barrier.category_name == "Resources"


def test_barrier_notes_are_edited_with_conflict_protection(client_for, alice, bob, project):
    item = Item.objects.get(pack=project.determinant_pack, name="Access to treatment")
    barrier = goals.barrier_add_from_pack(project=project, user=alice, item=item)
    edit = url("projects:project_barrier_edit", project, barrier.pk)
    assert client_for(bob).post(edit, {"notes": "Long waiting lists", "version": 1}).status_code == 302
    response = client_for(alice).post(edit, {"notes": "Few referrals", "version": 1})
    assert "Someone else saved this" in response.content.decode()
    barrier.refresh_from_db()
    assert barrier.notes == "Long waiting lists" and barrier.version == 2


def test_a_barrier_is_deleted_after_confirmation(client_for, alice, project):
    barrier = goals.barrier_add_custom(project=project, user=alice, name="No rooms", category="Resources")
    client = client_for(alice)
    delete = url("projects:project_barrier_delete", project, barrier.pk)
    assert "Yes, delete" in client.get(delete).content.decode()
    client.post(delete)
    assert not Barrier.objects.exists()


def test_the_service_refuses_an_item_of_a_strategy_catalogue_as_barrier(alice, project):
    import pytest
    from django.core.exceptions import ValidationError

    strategy = Item.objects.filter(pack=ContentPack.objects.get(slug="eric")).first()
    with pytest.raises(ValidationError) as exc:
        goals.barrier_add_from_pack(project=project, user=alice, item=strategy)
    assert "item" in exc.value.message_dict
