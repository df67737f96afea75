"""Stakeholder engagement travels with an exported project (issue 17): its groups, plans, records (with
the groups they reached) and the changes made because of them, live and in their history, but never the
named people (personal data) and never a consultation of the organisation."""

import json
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from tailorkit.consultations.tests.factories import make_consultation
from tailorkit.core.models import Organisation
from tailorkit.projects.models import (
    EngagementChange,
    EngagementPlan,
    EngagementRecord,
    Goal,
    StakeholderGroup,
    StakeholderPerson,
    Step,
)
from tailorkit.projects.services import engagement, goals
from tailorkit.projects.services.timeline import timeline_page
from tailorkit.projects.services.transfer import project_export, project_import


def build_engagement(project, alice):
    """Two groups (one removed later), a named person, plans (one with a consultation) and two records,
    the first with the changes it led to: a goal added, a barrier dropped (deleted since), the second
    edited to reach one more group."""
    org = project.organisation
    iteration = project.current_iteration
    gps = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer", side="external",
                                              relation="refers", affected=2, influence=5, notes="Busy")
    patients = engagement.stakeholder_group_create(project=project, user=alice, name="Patients", relation="receives")
    gone = engagement.stakeholder_group_create(project=project, user=alice, name="Receptionists")
    engagement.stakeholder_person_add(group=gps, user=alice, name="Dr Secret Person", contact="secret@example.org")
    consultation, _token = make_consultation(org, alice)
    engagement.engagement_plan_add(project=project, iteration=iteration, user=alice, step=Step.GOALS, group=gps,
                                   objective="learn", approach="survey", consultation=consultation)
    engagement.engagement_plan_add(project=project, iteration=iteration, user=alice, step=Step.MATCH, group=gone,
                                   objective="decide", approach="workshop", note="Before the summer")
    goal = goals.goal_create(project=project, user=alice, target_group="GPs", end_goal="Refer within a week")
    barrier = goals.barrier_add_custom(project=project, user=alice, name="No referral form", category="Process")
    today = timezone.localdate()
    first = engagement.engagement_record_add(
        project=project, iteration=iteration, user=alice, step=Step.GOALS, date=today - timedelta(days=1),
        approach="meeting", groups=[gps, patients], people=12, heard="They want a shorter form.",
        changed="A goal about referral times.", consultation=consultation,
        changes=[("goal", goal.pk, "added"), ("barrier", barrier.pk, "dropped")])
    barrier.delete()
    second = engagement.engagement_record_add(project=project, iteration=iteration, user=alice, step=Step.MATCH,
                                              date=today, approach="informal", groups=[gps], heard="Fine.")
    # Made an hour before its edit, so the timeline shows the edit as an entry of its own.
    EngagementRecord.history.filter(id=second.pk).update(history_date=F("history_date") - timedelta(hours=1))
    engagement.engagement_record_update(record=second, user=alice, version=second.version, step=Step.MATCH,
                                        date=today, approach="informal", groups=[gps, gone], heard="Fine, all.")
    gone.refresh_from_db()
    engagement.stakeholder_group_remove(group=gone, user=alice, version=gone.version)
    return {"goal": goal, "first": first, "second": second, "consultation": consultation}


@pytest.fixture
def elsewhere(mallory):
    return Organisation.objects.get(memberships__user=mallory)


def _normalise(data):
    """The lists of a file with every ref replaced by its list and position, so that the exports of two
    equal projects compare equal (refs inside lists too: a record's groups)."""
    mapping = {row["ref"]: f"{key}#{i}" for key, rows in data.items() if isinstance(rows, list) and key != "history"
               for i, row in enumerate(rows)}

    def norm(value):
        if isinstance(value, list):
            return sorted(norm(v) for v in value)
        return mapping.get(value, value) if isinstance(value, str) else value

    return {key: [{k: norm(v) for k, v in row.items() if k != "ref"} for row in rows]
            for key, rows in data.items() if isinstance(rows, list) and key != "history"}


ENGAGEMENT_KEYS = ("stakeholder_groups", "engagement_plans", "engagement_records", "engagement_changes")


def test_engagement_is_exported_without_named_people_or_consultations(project, alice):
    made = build_engagement(project, alice)
    data = project_export(project=project, user=alice)
    text = json.dumps(data)
    assert "Dr Secret Person" not in text and "secret@example.org" not in text
    assert "consultation" not in text and made["consultation"].title not in text
    assert [g["name"] for g in data["stakeholder_groups"]] == ["GPs who refer", "Patients", "Receptionists"]
    assert data["stakeholder_groups"][2]["removed_at"] is not None
    groups = {g["ref"]: g["name"] for g in data["stakeholder_groups"]}
    records = sorted(data["engagement_records"], key=lambda r: r["date"])
    assert [sorted(groups[ref] for ref in r["groups"]) for r in records] == [
        ["GPs who refer", "Patients"], ["GPs who refer", "Receptionists"]]
    changes = {c["what"]: c for c in data["engagement_changes"]}
    assert changes["added"]["object_id"] == f"goal-{made['goal'].pk}"
    assert changes["dropped"]["object_id"].startswith("barrier-")
    # The history keeps which groups each version of a record reached.
    versions = [h["data"]["groups"] for h in data["history"] if h["kind"] == "engagement_record"
                and h["ref"] == f"engagement_record-{made['second'].pk}"]
    assert [sorted(groups[ref] for ref in v) for v in versions][-1] == ["GPs who refer", "Receptionists"]
    assert [] in versions and len(versions) >= 3


def test_an_exported_engagement_imported_elsewhere_is_the_same(project, alice, mallory, elsewhere):
    made = build_engagement(project, alice)
    data = project_export(project=project, user=alice)
    copy = project_import(organisation=elsewhere, user=mallory, data=json.dumps(data)).project

    again = project_export(project=copy, user=mallory)
    original, copied = _normalise(data), _normalise(again)
    people = {"created_by"}
    for key in ENGAGEMENT_KEYS:
        assert len(copied[key]) == len(original[key]) > 0, key
        for before, after in zip(original[key], copied[key], strict=True):
            for name, value in before.items():
                if name in people:
                    assert after[name] == "mallory@example.net"   # alice is not a member there
                elif key == "engagement_changes" and name == "object_id" and value.startswith("barrier-"):
                    # A barrier deleted before the export exists only in the history: nothing to point at.
                    assert after[name] == "barrier-0"
                else:
                    assert after[name] == value, (key, name)

    assert not StakeholderPerson.objects.filter(project=copy).exists()
    assert not EngagementRecord.objects.filter(project=copy).exclude(consultation=None).exists()
    assert not EngagementPlan.objects.filter(project=copy).exclude(consultation=None).exists()
    first = EngagementRecord.objects.get(project=copy, heard="They want a shorter form.")
    assert sorted(first.groups.values_list("name", flat=True)) == ["GPs who refer", "Patients"]
    assert first.date == made["first"].date and first.people == 12
    added = EngagementChange.objects.get(project=copy, what="added")
    assert added.record == first and added.object_id == Goal.objects.get(project=copy).pk
    removed = StakeholderGroup.objects.get(project=copy, name="Receptionists")
    assert removed.removed_at is not None and removed.plans.get().step == Step.MATCH


def test_the_imported_timeline_shows_the_groups_reached_and_cause_and_effect(project, alice, mallory, elsewhere):
    build_engagement(project, alice)
    copy = project_import(organisation=elsewhere, user=mallory,
                          data=json.dumps(project_export(project=project, user=alice))).project
    entries = timeline_page(copy, page_size=1000).entries
    edited = next(e for e in entries if e.kind == "engagement_record" and "edited" in e.title
                  and any(c.field == "groups" for c in e.changes))
    assert [(c.before, c.after) for c in edited.changes if c.field == "groups"] == [
        ("GPs who refer", "GPs who refer, Receptionists")]
    goal = Goal.objects.get(project=copy)
    added = next(e for e in entries if e.kind == "goal" and e.action == "+" and e.record.id == goal.pk
                 and e.after)
    record = EngagementRecord.objects.get(project=copy, heard="They want a shorter form.")
    assert [pk for pk, _label in added.after] == [record.pk]
    made = next(e for e in entries if e.kind == "engagement_record" and e.record_id == record.pk and e.led_to)
    assert any("Refer within a week" in text and "added" in text for text in made.led_to)


def test_a_change_pointing_at_a_row_the_file_does_not_have_is_refused(project, alice, mallory, elsewhere):
    from django.core.exceptions import ValidationError

    build_engagement(project, alice)
    data = project_export(project=project, user=alice)
    data["engagement_changes"][0]["object_id"] = "goal-nope"
    data["engagement_records"][0]["groups"] = ["stakeholder_group-nope"]
    data["stakeholder_groups"][1]["name"] = data["stakeholder_groups"][0]["name"]
    with pytest.raises(ValidationError) as exc:
        project_import(organisation=elsewhere, user=mallory, data=data)
    messages = exc.value.messages
    assert ("engagement_changes[0].object_id: unknown goal, barrier, strategy option, task or success criterion "
            '"goal-nope"') in messages
    assert "engagement_records[0].groups: unknown stakeholder group 'stakeholder_group-nope'" in messages
    assert "stakeholder_groups[1].name: another group on the map has this name" in messages
