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


# --- the barrier list without a click (issue 10) -------------------------------------------------------


def test_the_whole_barrier_list_is_shown_by_category_before_any_click(client_for, alice, project):
    html = client_for(alice).get(url("projects:project_barrier_add", project)).content.decode()
    items = Item.objects.filter(pack=project.determinant_pack).select_related("category")
    assert items.count() > 30
    for item in items:
        assert f'<tr id="item-{item.pk}"><th scope="row">{item.name}</th>' in html.replace("&#x27;", "'")
    for category in project.determinant_pack.categories.all():
        assert f'<h2 id="cat-{category.pk}">{category.name}</h2>' in html
        assert f'<a href="#cat-{category.pk}">' in html
    assert f"{items.count()} barriers in this list." in html
    # Items sit under their own category's heading.
    item = items.get(name="Access to treatment")
    heading = f'<h2 id="cat-{item.category_id}">'
    assert html.index(heading) < html.index(f'id="item-{item.pk}"')


def test_the_barrier_list_is_filtered_by_name_description_or_category(client_for, alice, project):
    client = client_for(alice)
    page = url("projects:project_barrier_add", project)
    html = client.get(page + "?q=ACCESS").content.decode()
    matches = Item.objects.filter(pack=project.determinant_pack, name__icontains="access").count()
    assert "Access to treatment" in html and 'hx-get="' in html and 'hx-select="#barrier-results"' in html
    other = Item.objects.filter(pack=project.determinant_pack).exclude(name__icontains="access").exclude(
        description__icontains="access").exclude(category__name__icontains="access").first()
    assert f'id="item-{other.pk}"' not in html
    assert "barriers match “ACCESS”." in html or (matches == 1 and "1 barrier matches" in html)
    category = project.determinant_pack.categories.get(code="acceptance")
    html = client.get(page + "?q=" + category.name.lower()).content.decode()
    for item in category.items.all():
        assert f'id="item-{item.pk}"' in html
    html = client.get(page + "?q=qqqzzz").content.decode()
    assert "Nothing in your barrier list matches “qqqzzz”." in html
    assert f'<a href="{page}">Clear the search</a>' in html


def test_adding_a_barrier_goes_back_to_the_same_search_at_its_row(client_for, alice, project):
    item = Item.objects.get(pack=project.determinant_pack, name="Access to treatment")
    back = url("projects:project_barrier_add", project) + "?q=access"
    response = client_for(alice).post(url("projects:project_barrier_add", project),
                                      {"item": item.pk, "next_url": back})
    assert response.status_code == 302 and response["Location"] == f"{back}#item-{item.pk}"
    html = client_for(alice).get(back).content.decode()
    row = html[html.index(f'id="item-{item.pk}"'):]
    assert row.index("On your list") < row.index("</tr>")
    response = client_for(alice).post(url("projects:project_barrier_add", project),
                                      {"item": Item.objects.filter(pack=project.determinant_pack).last().pk,
                                       "next_url": "https://evil.example/"})
    assert response["Location"] == url("projects:project_step_goals", project) + "#barriers"


def test_with_htmx_adding_a_barrier_swaps_its_row_and_announces_it(client_for, alice, project):
    item = Item.objects.get(pack=project.determinant_pack, name="Access to treatment")
    page = url("projects:project_barrier_add", project)
    client = client_for(alice)
    html = client.get(page).content.decode()
    form = html[html.index(f'id="item-{item.pk}"'):]
    form = form[:form.index("</form>")]
    assert f'hx-target="#item-{item.pk}" hx-select="#item-{item.pk}" hx-swap="outerHTML"' in form
    assert 'hx-select-oob="#add-status:innerHTML"' in form
    response = client.post(page, {"item": item.pk, "next_url": page}, HTTP_HX_REQUEST="true", follow=True)
    html = response.content.decode()
    status = html[html.index('id="add-status"'):]
    assert "“Access to treatment” added to your barriers." in status[:status.index("</div>")]
    # A refusal is announced there too, and htmx swaps it (htmx does not swap a 4xx answer).
    response = client.post(page, {"item": item.pk, "next_url": page}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    status = html[html.index('id="add-status"'):]
    assert response.status_code == 200 and "already on your list" in status[:status.index("</div>")]
