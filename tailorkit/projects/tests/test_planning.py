"""Step 3 – design and plan (issue 3, point 5)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tailorkit.core.locking import StaleEdit
from tailorkit.library.models import Item
from tailorkit.projects.models import Project, Specification, Step, SuccessCriterion, Task
from tailorkit.projects.services import planning as services
from tailorkit.projects.services.review import decision_record

from .factories import add_criteria, add_tasks, choose_strategy, current, url


@pytest.fixture
def iteration(project, alice):
    """The project's first iteration with a focus and a chosen strategy."""
    return choose_strategy(project, alice)


SPEC_DATA = {f: "" for f in services.SPEC_FIELDS}


def page(client, project, **kw):
    return client.get(url("projects:project_step_plan", project, **kw)).content.decode()


# --- The page --------------------------------------------------------------------------------------


def test_the_plan_page_shows_the_chosen_strategy_guidance_and_pack_labels(client_for, alice, project, iteration):
    html = page(client_for(alice), project)
    assert "Audit and feedback" in html and "Cheap and acceptable" in html
    assert "Describe the strategy precisely enough" in html  # guidance summary
    assert "Read the full guidance for this step" in html
    assert "1. Brief name" in html and "Implementation outcome affected" in html  # tidier / proctor packs
    assert "TIDieR items" in html and "Proctor's dimensions" in html
    assert "0 of 17 filled" in html and '<progress id="spec-progress" value="0" max="17"' in html


def test_without_a_chosen_strategy_the_page_links_to_step_2_and_the_team_can_still_draft(client_for, bob, project):
    client = client_for(bob)
    html = page(client, project)
    assert "No strategy has been chosen in this iteration yet" in html
    assert url("projects:project_step_match", project) in html
    response = client.post(
        url("projects:project_step_plan", project, iteration=1), {**SPEC_DATA, "brief_name": "Draft"}
    )
    assert response.status_code == 302
    assert current(project).specification.brief_name == "Draft"


def test_labels_fall_back_to_field_names_when_the_packs_are_missing(client_for, alice, project):
    Item.objects.filter(pack__slug__in=["tidier", "proctor"]).delete()
    html = page(client_for(alice), project)
    assert "When how much" in html and "Action target" in html


def test_an_unknown_or_malformed_iteration_is_a_404(client_for, alice, project):
    client = client_for(alice)
    assert client.get(url("projects:project_step_plan", project, iteration=9)).status_code == 404
    assert client.get(url("projects:project_step_plan", project) + "?iteration=x").status_code == 404


# --- Specification -------------------------------------------------------------------------------------


def test_saving_the_specification_updates_the_completeness_indicator(client_for, alice, project, iteration):
    client = client_for(alice)
    client.post(
        url("projects:project_step_plan", project, iteration=1),
        {**SPEC_DATA, "brief_name": "Referral feedback", "actor": "Practice manager"},
    )
    spec = Specification.objects.get(iteration=iteration)
    assert spec.version == 1 and spec.updated_by == alice and spec.organisation == project.organisation
    html = page(client, project)
    assert "2 of 17 filled" in html
    assert 'href="#id_why"' in html and 'href="#id_actor"' not in html
    project.refresh_from_db()
    assert project.last_activity_at > project.created_at


def test_a_stale_specification_edit_is_refused_and_shows_both_versions(client_for, alice, bob, project, iteration):
    spec = services.spec_save(iteration=iteration, user=alice, version=None, data={"why": "Original"})
    services.spec_save(iteration=iteration, user=alice, version=spec.version, data={**SPEC_DATA, "why": "Alice's"})
    response = client_for(bob).post(
        url("projects:project_step_plan", project, iteration=1), {**SPEC_DATA, "why": "Bob's", "version": spec.version}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this while you were editing" in html
    assert "Alice&#x27;s" in html and "Bob&#x27;s" in html
    assert 'name="version" value="2"' in html
    assert Specification.objects.get(iteration=iteration).why == "Alice's"


def test_two_people_creating_the_specification_at_once_do_not_overwrite(alice, bob, iteration):
    services.spec_save(iteration=iteration, user=alice, version=None, data={"why": "Alice"})
    with pytest.raises(StaleEdit):
        services.spec_save(iteration=iteration, user=bob, version=None, data={"why": "Bob"})
    assert Specification.objects.get(iteration=iteration).why == "Alice"


def test_an_over_long_specification_item_is_refused_at_the_field(client_for, alice, project, iteration):
    response = client_for(alice).post(
        url("projects:project_step_plan", project, iteration=1),
        {**SPEC_DATA, "why": "x" * 4001, "actor": "kept in the form"},
    )
    html = response.content.decode()
    assert 'id="id_why_error"' in html and "kept in the form" in html
    assert not Specification.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.spec_save(iteration=iteration, user=alice, version=None, data={"why": "x" * 4001})
    assert "why" in exc.value.message_dict


def test_the_service_refuses_unknown_specification_items(alice, iteration):
    with pytest.raises(ValidationError):
        services.spec_save(iteration=iteration, user=alice, version=None, data={"version": "5"})


# --- Tasks ------------------------------------------------------------------------------------------


def test_a_task_is_created_edited_and_deleted_after_confirmation(client_for, alice, bob, project, iteration):
    client = client_for(alice)
    response = client.post(
        url("projects:project_task_create", project, iteration=1),
        {"title": "Send GP letters", "owner": bob.pk, "due_date": "2030-02-01", "status": "todo"},
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.iteration, task.owner, task.organisation) == (iteration, bob, project.organisation)
    assert "Send GP letters" in page(client, project) and "Bob Member" in page(client, project)

    client.post(
        url("projects:project_task_edit", project, task.pk),
        {"title": "Send GP letters twice", "owner": alice.pk, "status": "doing", "version": task.version},
    )
    task.refresh_from_db()
    assert (task.title, task.owner, task.status, task.version) == ("Send GP letters twice", alice, "doing", 2)

    assert "Delete this task?" in client.get(url("projects:project_task_delete", project, task.pk)).content.decode()
    assert Task.objects.exists()
    client.post(url("projects:project_task_delete", project, task.pk))
    assert not Task.objects.exists()
    assert task.history.filter(history_type="-").exists()


def test_a_task_owner_not_on_the_team_is_refused_at_the_field(client_for, alice, dave, project, iteration):
    response = client_for(alice).post(
        url("projects:project_task_create", project, iteration=1),
        {"title": "Train staff", "owner": dave.pk, "status": "todo"},
    )
    html = response.content.decode()
    assert "Dave Researcher is not on the project team" in html and 'id="id_owner_error"' in html
    assert not Task.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.task_create(iteration=iteration, user=alice, title="Train staff", owner=dave)
    assert "owner" in exc.value.message_dict


def test_a_task_owner_from_another_organisation_is_not_a_valid_choice(client_for, alice, mallory, project):
    html = (
        client_for(alice)
        .post(
            url("projects:project_task_create", project, iteration=1),
            {"title": "X", "owner": mallory.pk, "status": "todo"},
        )
        .content.decode()
    )
    assert "Choose someone from the project team." in html
    assert "Mallory" not in html
    assert not Task.objects.exists()


@pytest.mark.parametrize("title, message", [("   ", "This field is required"), ("x" * 301, "at most 300")])
def test_an_empty_or_over_long_task_title_is_refused(client_for, alice, project, title, message):
    html = (
        client_for(alice)
        .post(url("projects:project_task_create", project, iteration=1), {"title": title, "status": "todo"})
        .content.decode()
    )
    assert message in html
    assert not Task.objects.exists()


def test_the_service_refuses_an_empty_task_title_and_an_unknown_status(alice, iteration):
    with pytest.raises(ValidationError) as exc:
        services.task_create(iteration=iteration, user=alice, title="  ")
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.task_create(iteration=iteration, user=alice, title="T", status="someday")
    assert "status" in exc.value.message_dict


def test_the_status_of_a_task_changes_with_one_click(client_for, bob, project, iteration):
    task = add_tasks(iteration, 1)[0]
    client_for(bob).post(
        url("projects:project_task_status", project, task.pk), {"status": "done", "version": task.version}
    )
    task.refresh_from_db()
    assert task.status == "done" and task.version == 2


def test_a_stale_quick_status_change_is_refused(client_for, alice, bob, project, iteration):
    task = add_tasks(iteration, 1)[0]
    services.task_set_status(task=task, user=alice, status="doing", version=1)
    response = client_for(bob).post(
        url("projects:project_task_status", project, task.pk), {"status": "dropped", "version": 1}, follow=True
    )
    assert "Someone else changed" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "doing"


def test_the_quick_status_change_is_post_only(client_for, alice, project, iteration):
    task = add_tasks(iteration, 1)[0]
    assert client_for(alice).get(url("projects:project_task_status", project, task.pk)).status_code == 405


def test_a_stale_task_edit_is_refused_and_shows_both_versions(client_for, alice, bob, project, iteration):
    task = add_tasks(iteration, 1)[0]
    services.task_update(task=task, user=alice, version=1, title="Alice's title", status="todo")
    response = client_for(bob).post(
        url("projects:project_task_edit", project, task.pk), {"title": "Bob's title", "status": "todo", "version": 1}
    )
    html = response.content.decode()
    assert "Someone else saved this while you were editing" in html
    assert "Alice&#x27;s title" in html and "Bob&#x27;s title" in html
    task.refresh_from_db()
    assert task.title == "Alice's title"


def test_a_task_of_another_project_is_a_404(client_for, alice, project, iteration, org):
    from tailorkit.projects.services.projects import project_create

    other = project_create(
        organisation=org,
        user=alice,
        name="Other",
        service="S",
        determinant_pack=project.determinant_pack,
        strategy_pack=project.strategy_pack,
    )
    task = add_tasks(iteration, 1)[0]
    assert client_for(alice).get(url("projects:project_task_edit", other, task.pk)).status_code == 404


# --- Success criteria --------------------------------------------------------------------------------


def test_a_criterion_is_created_edited_and_deleted(client_for, alice, project, iteration):
    client = client_for(alice)
    client.post(
        url("projects:project_criterion_create", project, iteration=1),
        {
            "description": "More referrals",
            "target_value": "30",
            "target_unit": "per month",
            "target_date": "2031-06-30",
        },
    )
    criterion = SuccessCriterion.objects.get()
    assert criterion.target_value == 30 and criterion.iteration == iteration
    assert "30 per month" in page(client, project)
    client.post(
        url("projects:project_criterion_edit", project, criterion.pk),
        {"description": "Many more referrals", "target_value": "", "target_unit": "", "target_date": "", "version": 1},
    )
    criterion.refresh_from_db()
    assert criterion.description == "Many more referrals" and criterion.target_value is None
    assert (
        "Delete this success criterion?"
        in client.get(url("projects:project_criterion_delete", project, criterion.pk)).content.decode()
    )
    client.post(url("projects:project_criterion_delete", project, criterion.pk))
    assert not SuccessCriterion.objects.exists()


def test_a_criterion_date_before_the_project_started_is_refused_at_the_field(client_for, alice, project, iteration):
    project.started_on = datetime.date(2030, 1, 1)
    project.save()
    response = client_for(alice).post(
        url("projects:project_criterion_create", project, iteration=1),
        {"description": "More referrals", "target_date": "2029-12-31"},
    )
    html = response.content.decode()
    assert "cannot be before the project started (2030-01-01)" in html and 'id="id_target_date_error"' in html
    assert not SuccessCriterion.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(
            iteration=current(project), user=alice, description="X", target_date=datetime.date(2029, 12, 31)
        )
    assert "target_date" in exc.value.message_dict


def test_a_criterion_needs_a_description_and_a_number_for_its_unit(client_for, alice, project, iteration):
    html = (
        client_for(alice)
        .post(url("projects:project_criterion_create", project, iteration=1), {"description": "", "target_unit": "%"})
        .content.decode()
    )
    assert "This field is required" in html
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(iteration=iteration, user=alice, description="Uptake", target_unit="%")
    assert "target_value" in exc.value.message_dict
    assert not SuccessCriterion.objects.exists()


def test_a_stale_criterion_edit_is_refused(client_for, alice, bob, project, iteration):
    criterion = add_criteria(iteration, 1)[0]
    services.criterion_update(criterion=criterion, user=alice, version=1, description="Alice's")
    html = (
        client_for(bob)
        .post(url("projects:project_criterion_edit", project, criterion.pk), {"description": "Bob's", "version": 1})
        .content.decode()
    )
    assert "Someone else saved this" in html
    criterion.refresh_from_db()
    assert criterion.description == "Alice's"


# --- Moving on, permissions, earlier iterations ---------------------------------------------------------


def test_plan_is_ready_moves_the_project_to_step_4(client_for, bob, project, iteration):
    client = client_for(bob)
    assert client.get(url("projects:project_plan_ready", project)).status_code == 405
    response = client.post(url("projects:project_plan_ready", project))
    assert response["Location"] == url("projects:project_step_review", project)
    project.refresh_from_db()
    assert project.step == Step.REVIEW


def test_a_viewer_reads_the_plan_but_cannot_change_it(client_for, dave, project, iteration):
    client = client_for(dave)
    html = page(client, project)
    assert "Audit and feedback" in html and "Save the specification" not in html and "Add a task" not in html
    assert client.post(url("projects:project_task_create", project, iteration=1), {"title": "X"}).status_code == 403
    assert client.post(url("projects:project_step_plan", project), SPEC_DATA).status_code == 403
    assert not Task.objects.exists() and not Specification.objects.exists()


def test_an_earlier_iteration_is_shown_read_only_and_refuses_edits(client_for, alice, project, iteration):
    task = add_tasks(iteration, 1, owner=alice)[0]
    services.spec_save(iteration=iteration, user=alice, version=None, data={"brief_name": "First plan"})
    decision_record(iteration=iteration, user=alice, kind="back_strategy", reason="Did not fit")
    client = client_for(alice)

    html = page(client, project, iteration=1)
    assert "an earlier iteration" in html and "First plan" in html and "Task 0" in html
    assert "Save the specification" not in html and "Add a task" not in html
    assert 'href="?iteration=2"' in html

    response = client.post(
        url("projects:project_step_plan", project, iteration=1), {**SPEC_DATA, "brief_name": "Changed"}, follow=True
    )
    assert "can be read but no longer changed" in response.content.decode()
    client.post(
        url("projects:project_task_edit", project, task.pk), {"title": "Changed", "status": "todo", "version": 1}
    )
    client.post(url("projects:project_task_status", project, task.pk), {"status": "done", "version": 1})
    client.post(url("projects:project_task_delete", project, task.pk))
    client.post(url("projects:project_task_create", project, iteration=1), {"title": "New", "status": "todo"})
    task.refresh_from_db()
    assert (task.title, task.status) == ("Task 0", "todo")
    assert Task.objects.count() == 1
    assert Specification.objects.get(iteration=iteration).brief_name == "First plan"
    with pytest.raises(ValidationError):
        services.task_update(task=task, user=alice, version=1, title="X")
    with pytest.raises(ValidationError):
        services.criterion_create(iteration=iteration, user=alice, description="X")


def test_the_plan_page_query_count_does_not_grow(client_for, alice, project, iteration, django_assert_max_num_queries):
    client = client_for(alice)
    add_tasks(iteration, 2, owner=alice)
    add_criteria(iteration, 2)
    client.get(url("projects:project_step_plan", project))  # warm caches (roles, principles)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url("projects:project_step_plan", project))
    add_tasks(iteration, 18, owner=alice)
    add_criteria(iteration, 18)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("projects:project_step_plan", project))
    assert response.content.decode().count('id="task-') == 20


def test_the_project_is_not_touched_by_reading(client_for, alice, project, iteration):
    before = Project.objects.get(pk=project.pk).last_activity_at
    page(client_for(alice), project)
    assert Project.objects.get(pk=project.pk).last_activity_at == before
