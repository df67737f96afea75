import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tailorkit.library.models import ContentPack, Item
from tailorkit.projects.models import Iteration, Step, StrategyOption
from tailorkit.projects.services import goals, matching
from tailorkit.projects.services import projects as project_services


def url(name, project, *args):
    return reverse(name, args=[project.organisation.slug, project.pk, *args])


def make_project(org, user, name="CFIR project", determinants="cfir-2009"):
    return project_services.project_create(
        organisation=org,
        user=user,
        name=name,
        service="iCBT",
        determinant_pack=ContentPack.objects.get(slug=determinants),
        strategy_pack=ContentPack.objects.get(slug="eric"),
    )


def focus_on(project, user, item_name=None, custom=None):
    goal = goals.goal_create(project=project, user=user, target_group="Adults", end_goal="More patients start")
    if custom:
        barrier = goals.barrier_add_custom(project=project, user=user, name=custom, category="Own")
    else:
        barrier = goals.barrier_add_from_pack(
            project=project, user=user, item=Item.objects.get(pack=project.determinant_pack, name=item_name)
        )
    iteration = project.current_iteration
    goals.focus_set(
        project=project, user=user, iteration=iteration, version=iteration.version, goals=[goal], barriers=[barrier]
    )
    return barrier


def eric(name):
    return Item.objects.get(pack__slug="eric", name=name)


@pytest.fixture
def cfir_project(packs, org, alice, bob):
    return make_project(org, alice)


def test_suggestions_for_a_cfir_barrier_show_the_evidence_with_weight_and_source(client_for, alice, cfir_project):
    focus_on(cfir_project, alice, "Adaptability")
    html = client_for(alice).get(url("projects:project_step_match", cfir_project)).content.decode()
    assert "Adaptability → Promote adaptability: 73% of experts (Allen 2023, Table 3)" in html
    assert "How these are ranked" in html
    # Ranked by evidence weight: 73% before 35%.
    assert html.index("Promote adaptability") < html.index("Tailor strategies")


def test_expert_ratings_are_shown_or_said_to_be_missing(client_for, alice, cfir_project):
    focus_on(cfir_project, alice, "Adaptability")
    html = client_for(alice).get(url("projects:project_step_match", cfir_project)).content.decode()
    assert "Expert importance 3.9 / 5, feasibility 3.57 / 5 (Waltz 2015, Table 1)" in html
    visit = html[html.index("Visit other sites") :]
    assert visit.index("not rated in the source") < visit.index("</article>")


def suggested_for(project, barrier):
    from tailorkit.projects.suggestions import suggestions_for

    return suggestions_for(project, [barrier])[barrier.pk].suggestions


def test_without_evidence_it_says_so_and_offers_the_whole_catalogue_by_cluster(client_for, alice, cfir_project):
    focus_on(cfir_project, alice, "Trialability")  # no shipped source links it to a strategy
    html = client_for(alice).get(url("projects:project_step_match", cfir_project)).content.decode()
    assert "There is no evidence in the library linking this barrier" in html
    assert "Use evaluative and iterative strategies" in html and "Audit and provide feedback" in html
    assert "% of experts" not in html


def test_a_custom_barrier_has_no_evidence_either(client_for, alice, project):
    focus_on(project, alice, custom="No rooms")
    html = client_for(alice).get(url("projects:project_step_match", project)).content.decode()
    assert "This is a custom barrier" in html and "Change infrastructure" in html


def test_other_projects_choices_for_the_same_determinant_are_shown_and_counted(client_for, alice, org, cfir_project):
    other = make_project(org, alice, name="Sister clinic")
    other_barrier = focus_on(other, alice, "Complexity")
    option = matching.option_add_from_pack(
        project=other, user=alice, barrier=other_barrier, item=eric("Conduct local consensus discussions")
    )
    matching.option_choose(
        project=other,
        user=alice,
        iteration=other.current_iteration,
        option=option,
        version=other.current_iteration.version,
        justification="Team agreed",
    )
    barrier = focus_on(cfir_project, alice, "Complexity")
    suggestions = suggested_for(cfir_project, barrier)
    chosen = next(s for s in suggestions if s.item.name == "Conduct local consensus discussions")
    assert chosen.used_by == ["Sister clinic"]
    html = client_for(alice).get(url("projects:project_step_match", cfir_project)).content.decode()
    assert "Chosen for this barrier by 1 other project of your organisation: Sister clinic" in html


def test_adding_a_suggested_strategy_makes_it_a_candidate(client_for, alice, cfir_project):
    barrier = focus_on(cfir_project, alice, "Adaptability")
    item = eric("Promote adaptability")
    client = client_for(alice)
    client.post(url("projects:project_option_add", cfir_project, barrier.pk), {"item": item.pk})
    option = StrategyOption.objects.get()
    assert option.item == item and option.barrier == barrier and option.organisation == cfir_project.organisation
    client.post(url("projects:project_option_add", cfir_project, barrier.pk), {"item": item.pk})
    assert StrategyOption.objects.count() == 1
    html = client.get(url("projects:project_step_match", cfir_project)).content.decode()
    assert "already a candidate" in html


def test_a_strategy_from_another_pack_is_refused(client_for, alice, cfir_project):
    barrier = focus_on(cfir_project, alice, "Adaptability")
    foreign = Item.objects.get(pack__slug="cfir-2009", name="Complexity")
    response = client_for(alice).post(
        url("projects:project_option_add", cfir_project, barrier.pk), {"item": foreign.pk}, follow=True
    )
    assert "not in this project&#x27;s strategy catalogue" in response.content.decode()
    assert not StrategyOption.objects.exists()


def test_a_custom_strategy_needs_a_name_and_a_description(client_for, alice, project):
    barrier = focus_on(project, alice, custom="No rooms")
    add = url("projects:project_option_custom", project, barrier.pk)
    html = client_for(alice).post(add, {"name": "", "description": ""}).content.decode()
    assert "Name the strategy." in html and "what the strategy would mean here" in html
    html = client_for(alice).post(add, {"name": "x" * 301, "description": "d"}).content.decode()
    assert "at most 300 characters" in html
    client_for(alice).post(add, {"name": "Book rooms for video sessions", "description": "Two rooms on Tuesdays"})
    assert StrategyOption.objects.get().name == "Book rooms for video sessions"


def test_choosing_needs_a_justification_and_moves_the_project_to_step_3(client_for, alice, project):
    barrier = focus_on(project, alice, custom="No rooms")
    option = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    choose = url("projects:project_option_choose", project, option.pk)
    response = client_for(alice).post(choose, {"justification": "  ", "version": 1})
    assert "Write down why you chose this strategy" in response.content.decode()
    iteration = project.current_iteration
    assert iteration.chosen_option is None
    client_for(alice).post(choose, {"justification": "Best on APEASE", "version": iteration.version})
    iteration.refresh_from_db()
    project.refresh_from_db()
    assert iteration.chosen_option == option and iteration.choice_justification == "Best on APEASE"
    assert project.step == Step.PLAN


def test_the_choice_can_be_changed_and_the_change_is_in_history(client_for, alice, project):
    barrier = focus_on(project, alice, custom="No rooms")
    first = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    second = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Laptops", description="d")
    it = project.current_iteration
    matching.option_choose(
        project=project, user=alice, iteration=it, option=first, version=it.version, justification="Cheap"
    )
    it.refresh_from_db()
    html = client_for(alice).get(url("projects:project_option_choose", project, second.pk)).content.decode()
    assert "has already chosen" in html
    client_for(alice).post(
        url("projects:project_option_choose", project, second.pk),
        {"justification": "Rooms fell through", "version": it.version},
    )
    it.refresh_from_db()
    assert it.chosen_option == second
    assert [h.chosen_option_id for h in it.history.order_by("history_date")][-2:] == [first.pk, second.pk]


def test_a_stale_choice_is_refused(client_for, alice, bob, project):
    barrier = focus_on(project, alice, custom="No rooms")
    a = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    b = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Laptops", description="d")
    version = project.current_iteration.version
    client_for(bob).post(
        url("projects:project_option_choose", project, a.pk), {"justification": "Bob", "version": version}
    )
    html = (
        client_for(alice)
        .post(url("projects:project_option_choose", project, b.pk), {"justification": "Alice", "version": version})
        .content.decode()
    )
    assert "Someone else saved this" in html
    assert Iteration.objects.get(pk=project.current_iteration.pk).chosen_option == a


def test_choosing_an_option_of_another_project_is_a_404(client_for, alice, org, project):
    other = make_project(org, alice, name="Other", determinants="icbt-determinants")
    barrier = focus_on(other, alice, custom="X")
    option = matching.option_add_custom(project=other, user=alice, barrier=barrier, name="Y", description="d")
    response = client_for(alice).post(
        url("projects:project_option_choose", project, option.pk), {"justification": "j", "version": 1}
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        matching.option_choose(
            project=project,
            user=alice,
            iteration=project.current_iteration,
            option=option,
            version=1,
            justification="j",
        )


def test_the_chosen_option_cannot_be_deleted_but_others_can_after_confirmation(client_for, alice, project):
    barrier = focus_on(project, alice, custom="No rooms")
    chosen = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    spare = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Laptops", description="d")
    it = project.current_iteration
    matching.option_choose(project=project, user=alice, iteration=it, option=chosen, version=it.version,
                           justification="j")
    client = client_for(alice)
    response = client.post(url("projects:project_option_delete", project, chosen.pk))
    assert response.status_code == 400 and "is the chosen strategy of iteration 1" in response.content.decode()
    assert "Yes, delete" in client.get(url("projects:project_option_delete", project, spare.pk)).content.decode()
    client.post(url("projects:project_option_delete", project, spare.pk))
    assert list(StrategyOption.objects.all()) == [chosen]


def test_an_option_is_edited_with_conflict_protection(client_for, alice, bob, project):
    barrier = focus_on(project, alice, custom="No rooms")
    option = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    edit = url("projects:project_option_edit", project, option.pk)
    client_for(bob).post(edit, {"name": "Rooms", "description": "Bob's", "version": 1})
    html = client_for(alice).post(edit, {"name": "Rooms", "description": "Alice's", "version": 1}).content.decode()
    assert "Someone else saved this" in html
    option.refresh_from_db()
    assert option.description == "Bob's"


def test_the_match_page_without_a_focus_invites_to_set_it(client_for, dave, project):
    html = client_for(dave).get(url("projects:project_step_match", project)).content.decode()
    assert "has no focused barrier yet" in html
