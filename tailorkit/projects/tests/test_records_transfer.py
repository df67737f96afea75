import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tailorkit.core.models import AuditEvent, Membership, Organisation, Role
from tailorkit.library.models import Item
from tailorkit.projects.models import (
    Appraisal,
    Barrier,
    BarrierRating,
    Decision,
    EffortEntry,
    Focus,
    Goal,
    Iteration,
    Judgement,
    Project,
    Review,
    Specification,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.projects.services.transfer import project_export, project_import


def build_full_project(project, alice, bob):
    """Every kind of row of the cycle, two iterations, an edit and a deletion (ORM only)."""
    org = project.organisation
    own = {"organisation": org, "project": project}
    it1 = project.iterations.get(number=1)
    g1 = Goal.objects.create(**own, target_group="Adults with mild depression", end_goal="More referrals to iCBT",
                             emphasis="reach", created_by=alice)
    Goal.objects.create(**own, target_group="GPs", end_goal="GPs know iCBT", created_by=bob)
    g1.end_goal, g1.version = "Twice as many referrals to iCBT", 2
    g1.save()
    det = Item.objects.filter(pack=project.determinant_pack).order_by("pk").first()
    b1 = Barrier.objects.create(**own, item=det, notes="GPs are <b>busy</b>", created_by=alice)
    Barrier.objects.create(**own, custom_name="No referral pathway", custom_category="Process", created_by=bob)
    gone = Barrier.objects.create(**own, custom_name="A barrier we dropped", created_by=bob)
    gone.delete()
    BarrierRating.objects.create(organisation=org, barrier=b1, rated_by=alice, importance=5, changeability=3)
    BarrierRating.objects.create(organisation=org, barrier=b1, rated_by=bob, importance=4, changeability=2)
    strat = Item.objects.filter(pack=project.strategy_pack).order_by("pk").first()
    o1 = StrategyOption.objects.create(**own, barrier=b1, item=strat, description="Train the GPs", created_by=alice)
    o2 = StrategyOption.objects.create(**own, barrier=b1, custom_name="Referral letter template", created_by=bob)
    Appraisal.objects.create(organisation=org, option=o1, criterion="acceptability", rating=4, note="liked")
    Appraisal.objects.create(organisation=org, option=o1, criterion="equity", rating=2, updated_by=bob)
    Focus.objects.create(organisation=org, iteration=it1, goal=g1)
    Focus.objects.create(organisation=org, iteration=it1, barrier=b1)
    it1.chosen_option, it1.choice_justification = o1, "Best evidence"
    it1.save()
    Specification.objects.create(organisation=org, iteration=it1, brief_name="GP training",
                                 who_provides="Practice nurse", action="Run a 1-hour session", when_how_much="Once")
    Task.objects.create(**own, iteration=it1, title="Book a room", owner=bob, due_date=date(2026, 3, 1),
                        status="done")
    Task.objects.create(**own, iteration=it1, title="Write slides", owner=alice, status="doing")
    c1 = SuccessCriterion.objects.create(**own, iteration=it1, description="30 referrals a month",
                                         target_value=Decimal("30.00"), target_unit="referrals",
                                         target_date=date(2026, 6, 1))
    r1 = Review.objects.create(**own, iteration=it1, review_date=date(2026, 6, 2), what_was_done="Ran training",
                               evidence="12 referrals", created_by=alice)
    Judgement.objects.create(organisation=org, review=r1, criterion=c1, verdict="not_met", evidence="12 < 30")
    Decision.objects.create(**own, iteration=it1, review=r1, kind="back_strategy", reason="Training was not enough",
                            decided_by=alice)
    it2 = Iteration.objects.create(**own, number=2, back_to="strategy", chosen_option=o2,
                                   choice_justification="Make referring easy")
    Focus.objects.create(organisation=org, iteration=it2, barrier=b1)
    Task.objects.create(**own, iteration=it2, title="Draft the letter", owner=bob)
    SuccessCriterion.objects.create(**own, iteration=it2, description="Letter used by 5 practices")
    EffortEntry.objects.create(**own, user=bob, date=date(2026, 2, 1), minutes=90, step="goals", activity="Workshop")
    # Where the services would have left it: iteration 2 went back to strategy and chose a strategy.
    # The dates above are fixed, so the project starts before them (imports check dates against the start).
    project.step, project.started_on = "plan", date(2026, 1, 1)
    Project.objects.filter(pk=project.pk).update(step="plan", started_on=project.started_on)
    return project


@pytest.fixture
def full_project(project, alice, bob):
    return build_full_project(project, alice, bob)


@pytest.fixture
def elsewhere(mallory):
    return Organisation.objects.get(memberships__user=mallory)


def _normalise(data):
    """Replace refs by positions so that two exports of equal projects compare equal."""
    data = json.loads(json.dumps(data))
    mapping = {}
    for key, value in data.items():
        if isinstance(value, list) and key != "history":
            for i, row in enumerate(value):
                mapping[row["ref"]] = f"{key}#{i}"
    out = {}
    for key, value in data.items():
        if isinstance(value, list) and key != "history":
            out[key] = [{k: mapping.get(v, v) if isinstance(v, str) else v for k, v in row.items() if k != "ref"}
                        for row in value]
    return out


PEOPLE = {"created_by", "updated_by", "rated_by", "decided_by", "owner", "user"}


def test_an_export_imported_elsewhere_reproduces_the_project(full_project, alice, bob, mallory, elsewhere):
    Membership.objects.create(organisation=elsewhere, user=bob, role=Role.MEMBER)
    data = project_export(project=full_project, user=alice)
    assert data["format"] == "tailorkit.project" and data["version"] == 1
    result = project_import(organisation=elsewhere, user=mallory, data=json.dumps(data))
    copy = result.project
    assert copy.organisation == elsewhere and copy.pk != full_project.pk
    # bob is a member there too and keeps his work; alice is not, so mallory takes her place.
    assert copy.name == full_project.name and copy.owner == mallory
    assert set(copy.team.all()) == {mallory, bob}
    assert any("alice@example.org" in n and "bob@example.org" not in n for n in result.notes)

    again = _normalise(project_export(project=copy, user=mallory))
    original = _normalise(data)
    for key, rows in original.items():
        assert len(again[key]) == len(rows), key
        for before, after in zip(rows, again[key], strict=True):
            for field, value in before.items():
                if field in PEOPLE and value == "alice@example.org":
                    assert after[field] == "mallory@example.net", (key, field)
                else:
                    assert after[field] == value, (key, field, value, after[field])
    assert copy.iterations.get(number=2).chosen_option.name == "Referral letter template"
    assert Goal.objects.filter(project=copy).first().end_goal == "Twice as many referrals to iCBT"
    assert Judgement.objects.get(review__project=copy).criterion.project == copy


def test_the_imported_history_keeps_the_original_dates_and_past_states(full_project, alice, mallory, elsewhere):
    goal = Goal.objects.filter(project=full_project).first()
    first = goal.history.earliest()
    first.history_date = timezone.now() - timedelta(days=30)
    first.save()
    data = project_export(project=full_project, user=alice)
    copy = project_import(organisation=elsewhere, user=mallory, data=data).project
    copied_goal = Goal.objects.filter(project=copy).first()
    dates = list(copied_goal.history.order_by("history_date").values_list("history_date", flat=True))
    assert dates[0] == first.history_date
    old = Goal.history.as_of(timezone.now() - timedelta(days=20)).filter(project_id=copy.pk).get()
    assert old.end_goal == "More referrals to iCBT"
    # The barrier deleted before the export is in the record, under an id no live row can have.
    dropped = Barrier.history.filter(project_id=copy.pk, custom_name="A barrier we dropped")
    assert {h.history_type for h in dropped} == {"+", "-"} and all(h.id < 0 for h in dropped)


def test_export_is_recorded_as_an_audit_event(client_for, alice, full_project, org):
    response = client_for(alice).get(reverse("projects:project_export", args=[org.slug, full_project.pk]))
    assert response["Content-Type"] == "application/json" and response.streaming
    assert json.loads(response.getvalue())["project"]["name"] == full_project.name
    assert AuditEvent.objects.filter(action="project.exported", organisation=org,
                                     details__format="json").exists()


@pytest.fixture
def exported(full_project, alice):
    return project_export(project=full_project, user=alice)


def _refused(elsewhere, mallory, data):
    before = {m: m.objects.count() for m in (Project, Goal, Barrier, Iteration, Task)}
    history_before = Goal.history.count()
    with pytest.raises(ValidationError) as exc:
        project_import(organisation=elsewhere, user=mallory, data=data)
    assert {m: m.objects.count() for m in before} == before
    assert Goal.history.count() == history_before
    return exc.value.messages


def test_corrupted_json_is_refused_with_line_and_column(exported, elsewhere, mallory):
    text = json.dumps(exported, indent=2)
    messages = _refused(elsewhere, mallory, text[:200])
    assert len(messages) == 1 and messages[0].startswith("invalid JSON at line ")
    assert "column" in messages[0]


def test_another_format_is_refused(elsewhere, mallory, packs):
    messages = _refused(elsewhere, mallory, json.dumps({"format": "something.else", "version": 1}))
    assert "not a Tailorkit project export" in messages[0]


def test_a_future_version_is_refused(exported, elsewhere, mallory):
    messages = _refused(elsewhere, mallory, json.dumps({**exported, "version": 2}))
    assert messages == ["format version 2 is not supported (this Tailorkit reads version 1)"]


def test_an_unknown_pack_item_is_named_with_its_path(exported, elsewhere, mallory):
    exported["barriers"][0]["item"]["code"] = "x"
    messages = _refused(elsewhere, mallory, exported)
    assert "barriers[0].item: unknown item 'x' in pack 'icbt-determinants'" in messages


def test_an_unknown_pack_item_is_the_only_error_reported(exported, elsewhere, mallory):
    exported = json.loads(json.dumps(exported))  # the history shares the item objects of the live rows
    exported["barriers"][0]["item"]["code"] = "x"
    exported["strategy_options"][0]["item"]["pack"] = "eric-typo"
    messages = _refused(elsewhere, mallory, exported)
    assert messages == ["barriers[0].item: unknown item 'x' in pack 'icbt-determinants'",
                        "strategy_options[0].item: item from pack 'eric-typo', but the project uses 'eric'"]


def test_an_unknown_key_is_refused_with_its_path_and_the_nearest_known_key(exported, elsewhere, mallory):
    barrier = exported["barriers"][1]
    barrier["custom_categry"] = barrier.pop("custom_category")
    exported["histroy"] = exported.pop("history")
    exported["history"] = []
    exported["project"]["colour"] = "red"
    exported["barriers"][0]["item"]["cod"] = "1"
    entry = exported["histroy"][0]
    exported["history"] = [{**entry, "usr": None, "data": {**entry["data"], "nam": "x"}}]
    messages = _refused(elsewhere, mallory, exported)
    assert "barriers[1].custom_categry: unknown key (did you mean 'custom_category'?)" in messages
    assert "histroy: unknown key (did you mean 'history'?)" in messages
    assert "project.colour: unknown key" in messages
    assert "barriers[0].item.cod: unknown key (did you mean 'code'?)" in messages
    assert "history[0].usr: unknown key (did you mean 'user'?)" in messages
    assert "history[0].data.nam: unknown key (did you mean 'name'?)" in messages


def test_a_step_that_contradicts_the_iterations_is_refused(exported, elsewhere, mallory):
    exported["project"]["step"] = "goals"   # but iteration 2 went back to strategy and chose one
    messages = _refused(elsewhere, mallory, exported)
    assert ("project.step: 'goals' is too early: the current iteration went back to 'strategy' "
            "(iterations[1].back_to), so the project is at least at 'match'") in messages
    assert ("project.step: 'goals' is too early: the current iteration has a chosen strategy "
            "(iterations[1].chosen_option), so the project is at least at 'plan'") in messages


def test_decisions_and_iterations_that_do_not_match_are_refused(exported, elsewhere, mallory):
    exported["decisions"][0]["kind"] = "back_plan"
    messages = _refused(elsewhere, mallory, exported)
    assert messages == ["iterations[1].back_to: must be 'plan', as decided in decisions[0]"]
    exported["decisions"][0]["kind"] = "back_strategy"
    exported["iterations"][1]["back_to"] = ""
    messages = _refused(elsewhere, mallory, exported)
    assert "iterations[1].back_to: iteration 2 must say what it went back to" in messages


def test_projects_exported_at_each_step_import_again(project, alice, mallory, elsewhere):
    # "Ready to apply" is never blocked: a project at "review" may have no review yet.
    for step in ("goals", "match", "plan", "review"):
        Project.objects.filter(pk=project.pk).update(step=step)
        copy = project_import(organisation=elsewhere, user=mallory,
                              data=project_export(project=project, user=alice)).project
        assert copy.step == step


def test_the_import_page_refuses_deeply_nested_json_at_the_file_field(client_for, mallory, elsewhere, packs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.json", b"[" * 100_000, content_type="application/json")
    response = client_for(mallory).post(reverse("projects:project_import", args=[elsewhere.slug]), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="field-error">The file nests lists or objects far more deeply than a project export' in html
    assert not Project.objects.filter(organisation=elsewhere).exists()


def test_the_import_page_refuses_a_file_over_the_size_limit_at_the_file_field(client_for, mallory, elsewhere,
                                                                              monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    monkeypatch.setattr("tailorkit.projects.forms.records.MAX_IMPORT_BYTES", 1024 * 1024)
    upload = SimpleUploadedFile("p.json", b" " * (1024 * 1024 + 1), content_type="application/json")
    response = client_for(mallory).post(reverse("projects:project_import", args=[elsewhere.slug]), {"file": upload})
    assert ('class="field-error">The file is larger than 1 MB, more than any project export. Check that you chose '
            "the right file.") in response.content.decode()


def test_an_over_long_field_is_named_with_its_path(exported, elsewhere, mallory):
    exported["goals"][1]["end_goal"] = "x" * 2001
    exported["tasks"][0]["status"] = "finished"
    exported["strategy_options"][0]["barrier"] = "barrier-nope"
    messages = _refused(elsewhere, mallory, exported)
    assert "goals[1].end_goal: too long (max 2000)" in messages
    assert any(m.startswith("tasks[0].status: 'finished' is not one of") for m in messages)
    assert "strategy_options[0].barrier: unknown barrier 'barrier-nope'" in messages


def test_a_decision_without_its_reason_and_a_bad_rating_are_refused(exported, elsewhere, mallory):
    exported["decisions"][0]["reason"] = ""
    exported["barrier_ratings"][0]["importance"] = 9
    exported["history"][0]["date"] = "yesterday"
    messages = _refused(elsewhere, mallory, exported)
    assert "decisions[0].reason: this decision needs a reason" in messages
    assert any(m.startswith("barrier_ratings[0].importance:") for m in messages)
    assert "history[0].date: must be a date and time like 2026-03-01T09:30:00+00:00" in messages


def test_the_import_page_lists_errors_and_creates_nothing(client_for, mallory, elsewhere, exported,
                                                          django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    exported["goals"][0]["end_goal"] = "y" * 2001
    upload = SimpleUploadedFile("p.json", json.dumps(exported).encode(), content_type="application/json")
    client = client_for(mallory)
    with django_capture_on_commit_callbacks(execute=True):  # the queued import runs at once under pytest
        response = client.post(reverse("projects:project_import", args=[elsewhere.slug]), {"file": upload})
    html = client.get(response["Location"]).content.decode()
    assert "Nothing was created" in html and "goals[0].end_goal: too long (max 2000)" in html
    assert not Project.objects.filter(organisation=elsewhere).exists()


def test_the_import_page_creates_the_project_and_says_who_was_replaced(client_for, mallory, elsewhere, exported,
                                                                        django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.json", json.dumps(exported).encode(), content_type="application/json")
    client = client_for(mallory)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:project_import", args=[elsewhere.slug]), {"file": upload})
    project = Project.objects.get(organisation=elsewhere)
    html = client.get(response["Location"]).content.decode()
    assert reverse("projects:project_home", args=[elsewhere.slug, project.pk]) in html
    assert "bob@example.org" in html
    assert AuditEvent.objects.filter(action="project.imported", organisation=elsewhere).exists()


def test_a_viewer_cannot_import(client_for, dave, org, packs):
    assert client_for(dave).get(reverse("projects:project_import", args=[org.slug])).status_code == 403


def test_two_ratings_that_would_both_become_mine_keep_only_the_first(exported, mallory, elsewhere):
    result = project_import(organisation=elsewhere, user=mallory, data=exported)
    assert BarrierRating.objects.filter(barrier__project=result.project).count() == 1
    assert any(n.startswith("barrier_ratings[1] was left out") for n in result.notes)


@pytest.mark.parametrize("kind, status", [("success", "completed"), ("stop_other", "stopped")])
def test_a_finished_cycle_is_exported_and_imported_as_finished(full_project, alice, mallory, elsewhere, kind,
                                                              status):
    from tailorkit.projects.services import review as review_services
    from tailorkit.projects.services.projects import project_archive, project_restore

    iteration = full_project.iterations.order_by("-number").first()
    review_services.decision_record(iteration=iteration, user=alice, kind=kind, reason="Done")
    full_project.refresh_from_db()
    data = project_export(project=full_project, user=alice)
    assert data["project"]["status"] == status
    copy = project_import(organisation=elsewhere, user=mallory, data=json.dumps(data)).project
    assert copy.status == status
    # Archived in the file: restoring it brings the finished cycle back, not "active".
    full_project.refresh_from_db()
    project_archive(project=full_project, user=alice)
    full_project.refresh_from_db()
    archived = project_import(organisation=elsewhere, user=mallory,
                              data=json.dumps(project_export(project=full_project, user=alice))).project
    assert archived.status == "archived"
    assert project_restore(project=archived, user=mallory).status == status


def test_an_older_file_with_an_active_project_still_imports(exported, elsewhere, mallory):
    assert exported["project"]["status"] == "active"
    assert project_import(organisation=elsewhere, user=mallory, data=json.dumps(exported)).project.status == "active"
    del exported["project"]["status"]
    assert project_import(organisation=elsewhere, user=mallory, data=json.dumps(exported)).project.status == "active"
    exported["project"]["status"] = "finished"
    assert any("'finished' is not one of" in m for m in _refused(elsewhere, mallory, exported))
