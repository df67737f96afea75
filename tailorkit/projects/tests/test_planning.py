"""Step 3 – design and plan (issue 3, point 5)."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format

from tailorkit.core.locking import StaleEdit
from tailorkit.library.models import Item
from tailorkit.projects.models import Project, Specification, Step, SuccessCriterion, Task
from tailorkit.projects.services import planning as services
from tailorkit.projects.services.review import decision_record

from .factories import add_criteria, add_tasks, current, url

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
    assert "0 of 13 filled" in html and '<progress id="spec-progress" value="0" max="13"' in html


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
    assert "When how much (Proctor: Temporality, Dose)" in html and "Action target" in html


def test_an_unknown_or_malformed_iteration_is_a_404(client_for, alice, project):
    client = client_for(alice)
    assert client.get(url("projects:project_step_plan", project, iteration=9)).status_code == 404
    assert client.get(url("projects:project_step_plan", project) + "?iteration=x").status_code == 404


# --- Specification -------------------------------------------------------------------------------------


def test_saving_the_specification_updates_the_completeness_indicator(client_for, alice, project, iteration):
    client = client_for(alice)
    client.post(
        url("projects:project_step_plan", project, iteration=1),
        {**SPEC_DATA, "brief_name": "Referral feedback", "who_provides": "Practice manager"},
    )
    spec = Specification.objects.get(iteration=iteration)
    assert spec.version == 1 and spec.updated_by == alice and spec.organisation == project.organisation
    html = page(client, project)
    assert "2 of 13 filled" in html
    unspecified = html.split("Still unspecified")[1].split("</p>")[0]
    assert "2. Why (Proctor: Justification)" in unspecified and "Who provided" not in unspecified
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
        {**SPEC_DATA, "how": "x" * 4001, "who_provides": "kept in the form"},
    )
    html = response.content.decode()
    assert 'id="id_how_error"' in html and "kept in the form" in html
    assert '<details id="spec-edit" class="spec-edit" open>' in html  # the form with its error is unfolded
    assert not Specification.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.spec_save(iteration=iteration, user=alice, version=None, data={"how": "x" * 4001})
    assert "how" in exc.value.message_dict


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
    assert "Pick a date on or after 1 Jan 2030, when the project started." in html  # tailorkit/formats/en
    assert 'id="id_target_date_error"' in html
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


# --- Issue 10: one specification field per concept ------------------------------------------------


def test_merged_items_carry_both_names_and_the_form_is_folded_until_asked_for(client_for, alice, project, iteration):
    client = client_for(alice)
    html = page(client, project)
    for label in ("2. Why (Proctor: Justification)", "5. Who provided (Proctor: Actor)",
                  "8. When and how much (Proctor: Temporality, Dose)"):
        assert label in html
    for dropped in ("id_actor", "id_temporality", "id_dose", "id_justification"):
        assert dropped not in html
    assert '<details id="spec-edit" class="spec-edit">' in html
    assert "Write the specification" in html
    unfolded = client.get(url("projects:project_step_plan", project) + "?edit=specification").content.decode()
    assert '<details id="spec-edit" class="spec-edit" open>' in unfolded
    nav = html.split('aria-label="On this page"')[1].split("</nav>")[0]
    assert all(f'href="#{anchor}"' in nav for anchor in ("specification", "tasks", "criteria"))


@pytest.mark.parametrize("values, expected", [
    ({"why": "Evidence", "justification": ""}, {"why": "Evidence"}),
    ({"why": "", "justification": "Trials"}, {"why": "Trials"}),
    ({"why": "Evidence", "justification": "Trials"}, {"why": "Evidence\n\nJustification: Trials"}),
    ({"why": "Same", "justification": "Same"}, {"why": "Same"}),
    ({"when_how_much": "", "temporality": "In May", "dose": "Twice"},
     {"when_how_much": "Temporality: In May\n\nDose: Twice"}),
    ({"who_provides": "Nurses", "actor": "The lead", "action": "Train"},
     {"who_provides": "Nurses\n\nActor: The lead", "action": "Train"}),
])
def test_former_proctor_items_join_the_item_that_holds_them_now(values, expected):
    from tailorkit.projects.models import merge_legacy_spec

    assert merge_legacy_spec(values) == expected


def test_the_migration_moves_the_dropped_columns_into_the_kept_ones_and_their_history(transactional_db):
    from .factories import migrate_all_to_newest, migrate_projects_to

    apps = migrate_projects_to("0003_project_completed_stopped")
    try:
        Org = apps.get_model("core", "Organisation")
        org = Org.objects.create(name="Old site", slug="old-site")
        pack = apps.get_model("library", "ContentPack").objects.create(slug="old-pack", name="P", version="1",
                                                                       kind="strategies")
        user = apps.get_model("core", "User").objects.create(email="old@example.org")
        project = apps.get_model("projects", "Project").objects.create(
            organisation=org, name="Old", service="S", determinant_pack=pack, strategy_pack=pack, owner=user,
            version=1)
        iteration = apps.get_model("projects", "Iteration").objects.create(organisation=org, project=project,
                                                                           number=1, version=1)
        texts = {"why": "Evidence", "justification": "Trials", "who_provides": "", "actor": "The lead",
                 "when_how_much": "Weekly", "temporality": "From May", "dose": "", "action": "Train"}
        spec = apps.get_model("projects", "Specification").objects.create(organisation=org, iteration=iteration,
                                                                          version=1, **texts)
        apps.get_model("projects", "HistoricalSpecification").objects.create(
            id=spec.pk, organisation_id=org.pk, iteration_id=iteration.pk, version=1, history_type="+",
            history_date=spec.updated_at, updated_at=spec.updated_at, **texts)

        apps = migrate_projects_to("0004_specification_merge")
        for model in ("Specification", "HistoricalSpecification"):
            row = apps.get_model("projects", model).objects.get()
            assert (row.why, row.who_provides, row.when_how_much, row.action) == (
                "Evidence\n\nJustification: Trials", "The lead", "Weekly\n\nTemporality: From May", "Train")
            assert not hasattr(row, "actor")
    finally:
        migrate_all_to_newest()


def test_an_old_export_with_the_dropped_keys_still_imports_merged(org, alice, project, iteration):
    from tailorkit.projects.services.transfer import project_export, project_import

    services.spec_save(iteration=iteration, user=alice, version=None, data={"why": "Evidence"})
    data = json.loads(json.dumps(project_export(project=project, user=alice), default=str))
    data["project"]["step"] = "plan"  # where the strategy chosen by the fixture puts a real project
    old = data["specifications"][0]
    for row in [old] + [h["data"] for h in data["history"] if h["kind"] == "specification"]:
        row.pop("when_how_much")
        row.update({"justification": "Trials", "actor": "The lead", "temporality": "From May", "dose": "Twice"})
    imported = project_import(organisation=org, user=alice, data=data).project
    spec = Specification.objects.get(iteration__project=imported)
    assert spec.why == "Evidence\n\nJustification: Trials" and spec.who_provides == "The lead"
    assert spec.when_how_much == "Temporality: From May\n\nDose: Twice"
    assert spec.history.first().why == "Evidence\n\nJustification: Trials"

    old["dose"] = 5
    with pytest.raises(ValidationError) as exc:
        project_import(organisation=org, user=alice, data=data)
    assert "specifications[0].dose: must be text" in exc.value.messages


# --- Issue 10: one set of date rules, told in the reader's date format ------------------------------


def test_tasks_and_criteria_share_the_date_rule_and_show_it_before_anyone_errs(client_for, alice, project, iteration):
    project.started_on = datetime.date(2026, 3, 3)
    project.save()
    client = client_for(alice)
    rule = "A date on or after 3 Mar 2026, when the project started, and no more than 5 years ahead."
    assert page(client, project).count(rule) == 2  # under "Due date" and under "By when"
    for name, data, field in (("projects:project_task_create", {"title": "Letters", "status": "todo"}, "due_date"),
                              ("projects:project_criterion_create", {"description": "Referrals"}, "target_date")):
        html = client.post(url(name, project, iteration=1), {**data, field: "2020-05-01"}).content.decode()
        assert "Pick a date on or after 3 Mar 2026, when the project started." in html
        assert f'id="id_{field}_error"' in html
        late = (timezone.localdate() + datetime.timedelta(days=6 * 366)).isoformat()
        html = client.post(url(name, project, iteration=1), {**data, field: late}).content.decode()
        assert "plans reach at most 5 years ahead" in html
    assert not Task.objects.exists() and not SuccessCriterion.objects.exists()
    with translation.override("de"):
        with pytest.raises(ValidationError) as exc:
            services.task_create(iteration=iteration, user=alice, title="T", due_date=datetime.date(2020, 5, 1))
    assert "3. März 2026" in exc.value.message_dict["due_date"][0]


def test_an_unchanged_date_is_kept_when_the_start_date_moves_later(alice, project, iteration):
    task = services.task_create(iteration=iteration, user=alice, title="T", due_date=project.started_on)
    project.started_on += datetime.timedelta(days=10)
    project.save()
    task = services.task_update(task=task, user=alice, version=task.version, title="Renamed", due_date=task.due_date)
    assert task.title == "Renamed"
    with pytest.raises(ValidationError):
        services.task_update(task=task, user=alice, version=task.version, title="Renamed",
                             due_date=task.due_date + datetime.timedelta(days=1))


def test_the_review_date_uses_the_same_rule_and_wording(alice, project, iteration):
    from tailorkit.projects.services.review import review_create

    with pytest.raises(ValidationError) as exc:
        review_create(iteration=iteration, user=alice, review_date=project.started_on - datetime.timedelta(1),
                      what_was_done="X")
    assert exc.value.message_dict["review_date"] == [
        f"Pick a date on or after {date_format(project.started_on, 'DATE_FORMAT')}, when the project started."]


def test_an_export_whose_dates_predate_a_later_start_date_imports_back_unchanged(org, alice, project, iteration):
    """The date rules are for dates people type. A file records what was: a start date moved later
    after the tasks were planned (allowed: unchanged dates are kept) must not make the team's own
    export impossible to import again."""
    from tailorkit.projects.services.transfer import project_export, project_import

    add_tasks(iteration, 1)
    data = json.loads(json.dumps(project_export(project=project, user=alice), default=str))
    data["project"]["step"] = "plan"  # where the strategy chosen by the fixture puts a real project
    data["tasks"][0]["due_date"] = "2020-05-01"
    imported = project_import(organisation=org, user=alice, data=data).project
    assert str(Task.objects.get(iteration__project=imported).due_date) == "2020-05-01"


# --- Issue 10: numbers without needless decimals -----------------------------------------------------


def test_targets_are_shown_without_needless_decimals(client_for, alice, project, iteration):
    services.criterion_create(iteration=iteration, user=alice, description="Referrals", target_value=Decimal("40.00"),
                              target_unit="referrals per month")
    services.criterion_create(iteration=iteration, user=alice, description="Uptake", target_value=Decimal("12.50"),
                              target_unit="%")
    html = page(client_for(alice), project)
    assert "40 referrals per month" in html and "12.5 %" in html
    assert "40.00" not in html and "12.50" not in html


@pytest.mark.parametrize("value, shown", [
    (Decimal("40.00"), "40"), (Decimal("12.50"), "12.5"), (Decimal("1500.00"), "1,500"), (2.345, "2.35"),
    (0, "0"), (None, ""), ("not a number", "not a number"),
])
def test_plain_number_drops_needless_decimals(value, shown):
    from tailorkit.projects.templatetags.plain_numbers import plain_number

    assert plain_number(value) == shown
