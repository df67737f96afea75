"""Stakeholder engagement (issue 17): the services and selectors of the stakeholder map, the named
people, the engagement plans and records, and the record a project's consultation adds when it
closes (the consultations engine tells projects through ``consultations/closings.py``)."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tailorkit.consultations.models import Consultation, ConsultationTemplate
from tailorkit.consultations.services import delivery
from tailorkit.consultations.tasks import send_due_reminders
from tailorkit.consultations.tests.factories import add_response, make_consultation
from tailorkit.core.locking import StaleEdit
from tailorkit.core.models import AuditEvent, Organisation
from tailorkit.library.tests.factories import tiny_library
from tailorkit.projects import stakeholders
from tailorkit.projects.models import (
    Barrier,
    EngagementChange,
    EngagementPlan,
    EngagementRecord,
    Goal,
    StakeholderGroup,
    StakeholderPerson,
    Step,
    StrategyOption,
)
from tailorkit.projects.models.engagement import Approach, Objective
from tailorkit.projects.selectors import engagement as selectors
from tailorkit.projects.services import engagement as services
from tailorkit.projects.services import projects as project_services
from tailorkit.projects.services import review as reviewing

from .factories import add_criteria, add_tasks

Kind = EngagementChange.Kind
What = EngagementChange.What


# --- fixtures and helpers --------------------------------------------------------------------------

@pytest.fixture
def packs(db):
    """The library's tiny packs (the real ones are slow to load and nothing here needs them)."""
    return tiny_library(prefix="eng")


@pytest.fixture
def project(packs, org, alice, bob):
    return project_services.project_create(
        organisation=org, user=alice, name="iCBT in primary care", service="Internet-delivered CBT",
        determinant_pack=packs["determinants"], strategy_pack=packs["strategies"], team=[alice, bob])


@pytest.fixture
def sibling(packs, org, alice):
    """Another project of the same organisation."""
    return project_services.project_create(
        organisation=org, user=alice, name="Stepped care", service="Stepped care",
        determinant_pack=packs["determinants"], strategy_pack=packs["strategies"], team=[alice])


@pytest.fixture
def foreign(packs, mallory):
    """A project of another organisation."""
    return project_services.project_create(
        organisation=Organisation.objects.get(name="Elsewhere Clinic"), user=mallory, name="Elsewhere",
        service="Elsewhere", determinant_pack=packs["determinants"], strategy_pack=packs["strategies"],
        team=[mallory])


def group(project, user, name="Clinicians", **kwargs):
    return services.stakeholder_group_create(project=project, user=user, name=name, **kwargs)


def plan(project, iteration, user, group_, step=Step.GOALS, approach=Approach.MEETING, **kwargs):
    return services.engagement_plan_add(project=project, iteration=iteration, user=user, step=step, group=group_,
                                        objective=Objective.LEARN, approach=approach, **kwargs)


def record(project, iteration, user, groups, step=Step.GOALS, date=None, **kwargs):
    kwargs.setdefault("heard", "They want shorter forms.")
    return services.engagement_record_add(project=project, iteration=iteration, user=user, step=step,
                                          date=date or timezone.localdate(), approach=Approach.MEETING,
                                          groups=groups, **kwargs)


def errors_of(excinfo):
    return excinfo.value.message_dict


def everything_in_the_audit_log():
    return " ".join(f"{e.action} {e.target} {e.actor_email} {json.dumps(e.details)}"
                    for e in AuditEvent.objects.all())


def went_back(iteration, user):
    """The team decides to go back to the goals: iteration 1 becomes an earlier iteration."""
    _decision, new = reviewing.decision_record(iteration=iteration, user=user, kind="back_goals",
                                               reason="Wrong goal")
    assert new is not None and new.number == iteration.number + 1
    return new


# --- the stakeholder map ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "   ", None])
def test_a_group_needs_a_name(project, alice, name):
    with pytest.raises(ValidationError) as excinfo:
        group(project, alice, name=name)
    assert "Name the group" in errors_of(excinfo)["name"][0]
    assert not StakeholderGroup.objects.exists()


def test_a_group_is_made_with_its_name_trimmed_and_its_ratings(project, alice):
    made = group(project, alice, name="  GPs who refer ", side="external", relation="refers", affected="4",
                 influence=2, notes=" Busy ")
    made.refresh_from_db()
    assert (made.name, made.side, made.relation, made.affected, made.influence, made.notes) == (
        "GPs who refer", "external", "refers", 4, 2, "Busy")
    assert made.version == 1 and made.removed_at is None and made.created_by == alice
    assert made.organisation == project.organisation


def test_a_group_name_is_unique_in_the_project_whatever_its_case(project, alice):
    group(project, alice, name="Clinicians")
    with pytest.raises(ValidationError) as excinfo:
        group(project, alice, name="  cLINICIANS ")
    assert "already has a group called “cLINICIANS”" in errors_of(excinfo)["name"][0]
    assert StakeholderGroup.objects.filter(project=project).count() == 1


def test_the_same_group_name_can_be_used_in_another_project(project, sibling, alice):
    group(project, alice, name="Clinicians")
    assert group(sibling, alice, name="clinicians").pk


def test_a_removed_groups_name_can_be_used_again(project, alice):
    old = group(project, alice, name="Clinicians")
    services.stakeholder_group_remove(group=old, user=alice, version=old.version)
    new = group(project, alice, name="CLINICIANS")
    assert new.pk != old.pk
    assert StakeholderGroup.objects.filter(project=project, name__iexact="clinicians").count() == 2


@pytest.mark.parametrize(("field", "value", "message"), [
    ("affected", 0, "How much it affects them must be from 1 to 5, not 0."),
    ("affected", 6, "How much it affects them must be from 1 to 5, not 6."),
    ("influence", "-1", "How much they can influence it must be from 1 to 5, not -1."),
    ("influence", "lots", "How much they can influence it must be a whole number from 1 to 5, not “lots”."),
    ("affected", None, "How much it affects them must be a whole number from 1 to 5, not “None”."),
    ("affected", "2.5", "How much it affects them must be a whole number from 1 to 5, not “2.5”."),
])
def test_ratings_must_be_whole_numbers_from_1_to_5(project, alice, field, value, message):
    with pytest.raises(ValidationError) as excinfo:
        group(project, alice, **{field: value})
    assert errors_of(excinfo)[field] == [message]


@pytest.mark.parametrize("rating", [1, 5, " 3 "])
def test_ratings_from_1_to_5_are_accepted(project, alice, rating):
    made = group(project, alice, affected=rating, influence=rating)
    assert made.affected == made.influence == int(str(rating).strip())


def test_it_refuses_an_unknown_side_or_relation(project, alice):
    with pytest.raises(ValidationError) as excinfo:
        group(project, alice, side="upstairs", relation="cousin")
    assert set(errors_of(excinfo)) == {"side", "relation"}


def test_it_refuses_a_name_over_200_characters(project, alice):
    with pytest.raises(ValidationError) as excinfo:
        group(project, alice, name="x" * 201)
    assert "200 characters or fewer" in errors_of(excinfo)["name"][0]


def test_a_group_is_updated_and_may_keep_its_own_name(project, alice):
    made = group(project, alice, name="Clinicians")
    updated = services.stakeholder_group_update(group=made, user=alice, version=made.version, name="clinicians",
                                                side="internal", relation="delivers", affected=5, influence=1,
                                                notes="Key")
    updated.refresh_from_db()
    assert (updated.name, updated.affected, updated.influence, updated.notes, updated.version) == (
        "clinicians", 5, 1, "Key", 2)


def test_renaming_a_group_to_another_groups_name_is_refused(project, alice):
    group(project, alice, name="Clinicians")
    nurses = group(project, alice, name="Nurses")
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_group_update(group=nurses, user=alice, version=nurses.version, name="CLINICIANS",
                                          side="internal", relation="delivers", affected=3, influence=3)
    assert "name" in errors_of(excinfo)
    nurses.refresh_from_db()
    assert nurses.name == "Nurses" and nurses.version == 1


def test_updating_a_group_from_an_old_version_is_refused_as_stale(project, alice, bob):
    made = group(project, alice)
    services.stakeholder_group_update(group=made, user=bob, version=1, name="Doctors", side="internal",
                                      relation="delivers", affected=3, influence=3)
    with pytest.raises(StaleEdit) as excinfo:
        services.stakeholder_group_update(group=made, user=alice, version=1, name="Nurses", side="internal",
                                          relation="delivers", affected=3, influence=3)
    assert excinfo.value.current.name == "Doctors"
    assert excinfo.value.submitted["name"] == "Nurses"
    made.refresh_from_db()
    assert made.name == "Doctors" and made.version == 2


def test_a_group_is_edited_with_a_history_row_per_save(project, alice):
    made = group(project, alice)
    services.stakeholder_group_update(group=made, user=alice, version=1, name="Doctors", side="internal",
                                      relation="delivers", affected=3, influence=3)
    assert [h.name for h in made.history.order_by("history_date")] == ["Clinicians", "Doctors"]


def test_removing_a_group_keeps_its_plans_and_records(project, iteration, alice):
    clinicians = group(project, alice)
    a_plan = plan(project, iteration, alice, clinicians)
    a_record = record(project, iteration, alice, [clinicians])
    removed = services.stakeholder_group_remove(group=clinicians, user=alice, version=clinicians.version)
    assert removed.removed_at is not None and removed.version == 2
    clinicians.refresh_from_db()
    assert clinicians.removed_at is not None
    a_plan.refresh_from_db()
    assert a_plan.group == clinicians and a_plan.group.removed_at is not None
    assert list(a_record.groups.all()) == [clinicians]
    assert list(selectors.groups_of(project)) == []
    assert [g.pk for g in selectors.groups_of(project, with_removed=True)] == [clinicians.pk]


def test_removing_a_group_erases_its_named_people_with_an_audit_event_without_their_names(project, alice):
    clinicians = group(project, alice)
    nurses = group(project, alice, name="Nurses")
    services.stakeholder_person_add(group=clinicians, user=alice, name="Dr Ottoline Quibble", role="GP",
                                    contact="ottoline@example.org")
    services.stakeholder_person_add(group=clinicians, user=alice, name="Dr Ambrose Fenwick")
    kept = services.stakeholder_person_add(group=nurses, user=alice, name="Nurse Kept")
    services.stakeholder_group_remove(group=clinicians, user=alice, version=clinicians.version)
    assert list(StakeholderPerson.objects.all()) == [kept]
    event = AuditEvent.objects.get(action="stakeholders.people_erased")
    assert event.details == {"group": clinicians.pk, "people": 2}
    assert event.actor == alice and event.organisation == project.organisation
    log = everything_in_the_audit_log()
    for trace in ("Ottoline", "Quibble", "Ambrose", "Fenwick", "ottoline@example.org"):
        assert trace not in log


def test_removing_a_group_without_people_writes_no_erasure_event(project, alice):
    clinicians = group(project, alice)
    services.stakeholder_group_remove(group=clinicians, user=alice, version=clinicians.version)
    assert not AuditEvent.objects.filter(action="stakeholders.people_erased").exists()


def test_removing_a_group_from_an_old_version_is_refused_as_stale(project, alice):
    clinicians = group(project, alice)
    services.stakeholder_person_add(group=clinicians, user=alice, name="Dr Lee")
    with pytest.raises(StaleEdit):
        services.stakeholder_group_remove(group=clinicians, user=alice, version=clinicians.version + 1)
    clinicians.refresh_from_db()
    assert clinicians.removed_at is None and clinicians.people.count() == 1


def test_a_removed_group_cannot_be_removed_or_edited_again(project, alice):
    clinicians = group(project, alice)
    services.stakeholder_group_remove(group=clinicians, user=alice, version=1)
    with pytest.raises(StakeholderGroup.DoesNotExist):
        services.stakeholder_group_remove(group=clinicians, user=alice, version=2)
    with pytest.raises(StakeholderGroup.DoesNotExist):
        services.stakeholder_group_update(group=clinicians, user=alice, version=2, name="Back", side="internal",
                                          relation="delivers", affected=3, influence=3)


# --- copying groups from another project -----------------------------------------------------------

def test_copying_groups_skips_names_already_on_the_map_and_copies_no_people(project, sibling, alice):
    group(project, alice, name="Clinicians")
    source_clinicians = group(sibling, alice, name="CLINICIANS")
    patients = group(sibling, alice, name="Patients", side="external", relation="receives", affected=5, influence=2,
                     notes="Ask the patient council")
    gone = group(sibling, alice, name="Removed group")
    services.stakeholder_group_remove(group=gone, user=alice, version=gone.version)
    services.stakeholder_person_add(group=patients, user=alice, name="Pat Person")
    services.stakeholder_person_add(group=source_clinicians, user=alice, name="Dr Lee")

    made = services.stakeholder_groups_copy(project=project, source=sibling, user=alice)

    assert [g.name for g in made] == ["Patients"]
    copy = StakeholderGroup.objects.get(project=project, name="Patients")
    assert (copy.side, copy.relation, copy.affected, copy.influence, copy.notes) == (
        "external", "receives", 5, 2, "Ask the patient council")
    assert copy.pk != patients.pk and copy.created_by == alice and copy.organisation == project.organisation
    assert sorted(StakeholderGroup.objects.filter(project=project).values_list("name", flat=True)) == [
        "Clinicians", "Patients"]
    assert not StakeholderPerson.objects.filter(project=project).exists()
    assert StakeholderPerson.objects.filter(project=sibling).count() == 2
    assert copy.history.count() == 1


def test_copying_twice_makes_nothing_the_second_time(project, sibling, alice):
    group(sibling, alice, name="Patients")
    assert len(services.stakeholder_groups_copy(project=project, source=sibling, user=alice)) == 1
    assert services.stakeholder_groups_copy(project=project, source=sibling, user=alice) == []
    assert StakeholderGroup.objects.filter(project=project).count() == 1


def test_copying_groups_from_a_project_of_another_organisation_is_refused(project, foreign, alice, mallory):
    group(foreign, mallory, name="Their secret group")
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_groups_copy(project=project, source=foreign, user=alice)
    assert "another project of this organisation" in errors_of(excinfo)["source"][0]
    assert not StakeholderGroup.objects.filter(project=project).exists()


def test_copying_groups_from_the_project_itself_is_refused(project, alice):
    group(project, alice)
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_groups_copy(project=project, source=project, user=alice)
    assert "source" in errors_of(excinfo)


def test_projects_to_copy_from_are_the_organisations_other_projects_with_live_groups(
        project, sibling, foreign, packs, org, alice, mallory):
    empty = project_services.project_create(organisation=org, user=alice, name="Empty", service="s",
                                            determinant_pack=packs["determinants"],
                                            strategy_pack=packs["strategies"])
    only_removed = project_services.project_create(organisation=org, user=alice, name="Only removed", service="s",
                                                   determinant_pack=packs["determinants"],
                                                   strategy_pack=packs["strategies"])
    gone = group(only_removed, alice)
    services.stakeholder_group_remove(group=gone, user=alice, version=1)
    group(project, alice)
    group(sibling, alice)
    group(foreign, mallory)
    assert list(selectors.projects_to_copy_from(project)) == [sibling]
    assert set(selectors.projects_to_copy_from(empty)) == {project, sibling}


# --- named people ----------------------------------------------------------------------------------

def test_the_owner_and_the_team_see_the_named_people(project, alice, bob):
    assert selectors.people_visible_to(alice, project) is True
    assert selectors.people_visible_to(bob, project) is True


def test_an_organisation_member_not_on_the_team_does_not_see_the_named_people(project, carol, dave):
    assert selectors.people_visible_to(carol, project) is False
    assert selectors.people_visible_to(dave, project) is False


def test_an_outsider_or_an_anonymous_visitor_does_not_see_the_named_people(project, mallory):
    from django.contrib.auth.models import AnonymousUser

    assert selectors.people_visible_to(mallory, project) is False
    assert selectors.people_visible_to(AnonymousUser(), project) is False
    assert selectors.people_visible_to(None, project) is False


def test_people_of_gives_the_team_the_people_per_group_and_others_nothing(project, alice, bob, carol):
    clinicians = group(project, alice)
    nurses = group(project, alice, name="Nurses")
    lee = services.stakeholder_person_add(group=clinicians, user=alice, name="Dr Lee")
    ash = services.stakeholder_person_add(group=clinicians, user=alice, name="Dr Ash")
    kim = services.stakeholder_person_add(group=nurses, user=alice, name="Kim")
    assert selectors.people_of(project, bob) == {clinicians.pk: [ash, lee], nurses.pk: [kim]}
    assert selectors.people_of(project, carol) is None


def test_a_person_is_added_with_trimmed_values(project, alice):
    clinicians = group(project, alice)
    person = services.stakeholder_person_add(group=clinicians, user=alice, name=" Dr Lee ", role=" GP ",
                                             contact=" lee@example.org ")
    person.refresh_from_db()
    assert (person.name, person.role, person.contact, person.project, person.group) == (
        "Dr Lee", "GP", "lee@example.org", project, clinicians)


def test_a_person_needs_a_name(project, alice):
    clinicians = group(project, alice)
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_person_add(group=clinicians, user=alice, name="  ")
    assert "name" in errors_of(excinfo)
    assert not StakeholderPerson.objects.exists()


def test_a_person_cannot_be_added_to_a_removed_group(project, alice):
    clinicians = group(project, alice)
    removed = services.stakeholder_group_remove(group=clinicians, user=alice, version=1)
    with pytest.raises(ValidationError) as excinfo:
        services.stakeholder_person_add(group=removed, user=alice, name="Dr Lee")
    assert "has been removed" in errors_of(excinfo)["group"][0]


def test_erasing_a_person_leaves_no_row_and_no_name_in_the_audit_log(project, alice):
    clinicians = group(project, alice)
    person = services.stakeholder_person_add(group=clinicians, user=alice, name="Dr Zebedee Marchbanks",
                                             role="Clinical lead", contact="zebedee@example.org")
    other = services.stakeholder_person_add(group=clinicians, user=alice, name="Dr Other")
    services.stakeholder_person_erase(person=person, user=alice)

    assert list(StakeholderPerson.objects.all()) == [other]
    event = AuditEvent.objects.get(action="stakeholders.person_erased")
    assert event.details == {"project": project.pk} and event.actor == alice
    log = everything_in_the_audit_log()
    for trace in ("Zebedee", "Marchbanks", "zebedee@example.org", str(person.pk) + '"'):
        assert trace not in log
    assert selectors.people_of(project, alice) == {clinicians.pk: [other]}


# --- engagement plans ------------------------------------------------------------------------------

def test_a_plan_is_added_to_the_current_iteration(project, iteration, alice):
    clinicians = group(project, alice)
    made = services.engagement_plan_add(project=project, iteration=iteration, user=alice, step=Step.MATCH,
                                        group=clinicians, objective=Objective.DECIDE, approach=Approach.WORKSHOP,
                                        note="  Half a day  ")
    made.refresh_from_db()
    assert (made.iteration, made.step, made.group, made.objective, made.approach, made.note, made.created_by) == (
        iteration, Step.MATCH, clinicians, "decide", "workshop", "Half a day", alice)
    assert made.project == project and made.organisation == project.organisation and made.version == 1


def test_a_plan_refuses_a_removed_group(project, iteration, alice):
    clinicians = group(project, alice)
    services.stakeholder_group_remove(group=clinicians, user=alice, version=1)
    clinicians.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        plan(project, iteration, alice, clinicians)
    assert "has been removed" in errors_of(excinfo)["group"][0]
    assert not EngagementPlan.objects.exists()


def test_a_plan_refuses_a_group_of_another_project(project, sibling, iteration, alice):
    theirs = group(sibling, alice)
    with pytest.raises(ValidationError) as excinfo:
        plan(project, iteration, alice, theirs)
    assert "stakeholder map" in errors_of(excinfo)["group"][0]


def test_a_plan_refuses_no_group(project, iteration, alice):
    with pytest.raises(ValidationError) as excinfo:
        plan(project, iteration, alice, None)
    assert "group" in errors_of(excinfo)


def test_a_plan_refuses_an_earlier_iteration(project, iteration, alice):
    clinicians = group(project, alice)
    went_back(iteration, alice)
    with pytest.raises(ValidationError) as excinfo:
        plan(project, iteration, alice, clinicians)
    assert "earlier iteration" in excinfo.value.messages[0]
    assert not EngagementPlan.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("step", "done"), ("objective", "impress"), ("approach", "carrier pigeon"), ("note", "x" * 501)])
def test_a_plan_refuses_a_wrong_value(project, iteration, alice, field, value):
    values = {"step": Step.GOALS, "objective": Objective.LEARN, "approach": Approach.MEETING, "note": "",
              field: value}
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_plan_add(project=project, iteration=iteration, user=alice, group=group(project, alice),
                                     **values)
    assert list(errors_of(excinfo)) == [field]


def test_a_plan_may_name_a_consultation_of_the_organisation_but_not_of_another(
        project, foreign, iteration, alice, mallory):
    ours = make_consultation(project.organisation, alice)[0]
    theirs = make_consultation(foreign.organisation, mallory)[0]
    clinicians = group(project, alice)
    assert plan(project, iteration, alice, clinicians, consultation=ours).consultation == ours
    with pytest.raises(ValidationError) as excinfo:
        plan(project, iteration, alice, clinicians, consultation=theirs)
    assert "consultation" in errors_of(excinfo)


def test_an_edited_plan_may_keep_its_removed_group_but_not_move_to_another_removed_one(project, iteration, alice):
    clinicians = group(project, alice)
    nurses = group(project, alice, name="Nurses")
    made = plan(project, iteration, alice, clinicians)
    services.stakeholder_group_remove(group=clinicians, user=alice, version=1)
    services.stakeholder_group_remove(group=nurses, user=alice, version=1)
    clinicians.refresh_from_db()
    nurses.refresh_from_db()
    updated = services.engagement_plan_update(plan=made, user=alice, version=1, step=Step.PLAN, group=clinicians,
                                              objective=Objective.INFORM, approach=Approach.INFORMAL)
    assert (updated.step, updated.group, updated.version) == (Step.PLAN, clinicians, 2)
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_plan_update(plan=updated, user=alice, version=2, step=Step.PLAN, group=nurses,
                                        objective=Objective.INFORM, approach=Approach.INFORMAL)
    assert "group" in errors_of(excinfo)


def test_updating_a_plan_from_an_old_version_is_refused_as_stale(project, iteration, alice):
    clinicians = group(project, alice)
    made = plan(project, iteration, alice, clinicians)
    services.engagement_plan_update(plan=made, user=alice, version=1, step=Step.PLAN, group=clinicians,
                                    objective=Objective.LEARN, approach=Approach.MEETING)
    with pytest.raises(StaleEdit):
        services.engagement_plan_update(plan=made, user=alice, version=1, step=Step.MATCH, group=clinicians,
                                        objective=Objective.LEARN, approach=Approach.MEETING)
    made.refresh_from_db()
    assert made.step == Step.PLAN and made.version == 2


def test_a_plan_of_an_earlier_iteration_can_be_neither_edited_nor_deleted(project, iteration, alice):
    clinicians = group(project, alice)
    made = plan(project, iteration, alice, clinicians)
    went_back(iteration, alice)
    with pytest.raises(ValidationError):
        services.engagement_plan_update(plan=made, user=alice, version=1, step=Step.PLAN, group=clinicians,
                                        objective=Objective.LEARN, approach=Approach.MEETING)
    with pytest.raises(ValidationError):
        services.engagement_plan_delete(plan=made, user=alice)
    made.refresh_from_db()
    assert made.step == Step.GOALS


def test_a_plan_is_deleted(project, iteration, alice):
    made = plan(project, iteration, alice, group(project, alice))
    services.engagement_plan_delete(plan=made, user=alice)
    assert not EngagementPlan.objects.exists()


def test_plans_of_filters_by_iteration_and_step(project, iteration, alice):
    clinicians = group(project, alice)
    goals_plan = plan(project, iteration, alice, clinicians, step=Step.GOALS)
    match_plan = plan(project, iteration, alice, clinicians, step=Step.MATCH)
    second = went_back(iteration, alice)
    later = plan(project, second, alice, clinicians, step=Step.GOALS)
    assert set(selectors.plans_of(project)) == {goals_plan, match_plan, later}
    assert list(selectors.plans_of(project, iteration=iteration, step=Step.GOALS)) == [goals_plan]
    assert set(selectors.plans_of(project, step=Step.GOALS)) == {goals_plan, later}
    assert list(selectors.plans_of(project, iteration=second)) == [later]


# --- records of what was done ----------------------------------------------------------------------

def test_a_record_is_added_with_its_groups(project, iteration, alice):
    clinicians = group(project, alice)
    nurses = group(project, alice, name="Nurses")
    made = services.engagement_record_add(project=project, iteration=iteration, user=alice, step=Step.MATCH,
                                          date=timezone.localdate() - timedelta(days=3), approach=Approach.WORKSHOP,
                                          groups=[clinicians, nurses], people="12", heard=" Too long ",
                                          changed=" Shortened ")
    made.refresh_from_db()
    assert (made.step, made.approach, made.people, made.heard, made.changed, made.created_by) == (
        Step.MATCH, "workshop", 12, "Too long", "Shortened", alice)
    assert set(made.groups.all()) == {clinicians, nurses}
    assert made.iteration == iteration and made.consultation is None


def test_it_refuses_a_date_in_the_future(project, iteration, alice):
    with pytest.raises(ValidationError) as excinfo:
        record(project, iteration, alice, [group(project, alice)], date=timezone.localdate() + timedelta(days=1))
    assert list(errors_of(excinfo)) == ["date"]
    assert "has not come yet" in errors_of(excinfo)["date"][0]
    assert not EngagementRecord.objects.exists()


def test_it_accepts_today_and_requires_a_date(project, iteration, alice):
    clinicians = group(project, alice)
    assert record(project, iteration, alice, [clinicians], date=timezone.localdate()).pk
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_record_add(project=project, iteration=iteration, user=alice, step=Step.GOALS, date=None,
                                       approach=Approach.MEETING, groups=[clinicians], heard="x")
    assert "Enter the date" in errors_of(excinfo)["date"][0]


@pytest.mark.parametrize("groups", [[], None])
def test_a_record_requires_at_least_one_group(project, iteration, alice, groups):
    with pytest.raises(ValidationError) as excinfo:
        record(project, iteration, alice, groups)
    assert "at least one group" in errors_of(excinfo)["groups"][0]


def test_a_record_refuses_a_group_of_another_project_or_a_removed_group(project, sibling, iteration, alice):
    ours = group(project, alice)
    theirs = group(sibling, alice)
    gone = group(project, alice, name="Gone")
    services.stakeholder_group_remove(group=gone, user=alice, version=1)
    gone.refresh_from_db()
    for groups in ([ours, theirs], [ours, gone]):
        with pytest.raises(ValidationError) as excinfo:
            record(project, iteration, alice, groups)
        assert "stakeholder map" in errors_of(excinfo)["groups"][0]
    assert not EngagementRecord.objects.exists()


@pytest.mark.parametrize(("people", "message"), [
    (0, "from 1 to 100,000"), (100_001, "from 1 to 100,000"), ("many", "whole number"), ("2.5", "whole number")])
def test_a_record_refuses_a_wrong_number_of_people(project, iteration, alice, people, message):
    with pytest.raises(ValidationError) as excinfo:
        record(project, iteration, alice, [group(project, alice)], people=people)
    assert message in errors_of(excinfo)["people"][0]


def test_a_record_needs_what_was_heard_and_refuses_an_unknown_step_or_approach(project, iteration, alice):
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_record_add(project=project, iteration=iteration, user=alice, step="later",
                                       date=timezone.localdate(), approach="smoke signal",
                                       groups=[group(project, alice)], heard="  ")
    assert set(errors_of(excinfo)) == {"step", "approach", "heard"}


def test_a_record_refuses_an_earlier_iteration(project, iteration, alice):
    clinicians = group(project, alice)
    went_back(iteration, alice)
    with pytest.raises(ValidationError) as excinfo:
        record(project, iteration, alice, [clinicians])
    assert "earlier iteration" in excinfo.value.messages[0]


def test_a_record_of_an_earlier_iteration_can_be_neither_edited_nor_deleted(project, iteration, alice):
    clinicians = group(project, alice)
    made = record(project, iteration, alice, [clinicians])
    went_back(iteration, alice)
    with pytest.raises(ValidationError):
        services.engagement_record_update(record=made, user=alice, version=1, step=Step.GOALS, date=made.date,
                                          approach=Approach.MEETING, groups=[clinicians], heard="Rewritten")
    with pytest.raises(ValidationError):
        services.engagement_record_delete(record=made, user=alice)
    made.refresh_from_db()
    assert made.heard == "They want shorter forms." and made.version == 1


def test_a_record_keeps_the_changes_it_led_to_with_their_labels(project, iteration, alice):
    goal = Goal.objects.get(project=project)
    barrier = Barrier.objects.get(project=project)
    option = StrategyOption.objects.get(project=project)
    task = add_tasks(iteration, 1)[0]
    criterion = add_criteria(iteration, 1)[0]
    made = record(project, iteration, alice, [group(project, alice)], changes=[
        (Kind.GOAL, goal.pk, What.ADAPTED), (Kind.BARRIER, barrier.pk, What.ADDED),
        ("option", option.pk, "dropped"), (Kind.TASK, task.pk, What.ADDED),
        (Kind.CRITERION, criterion.pk, What.RERATED)])
    assert [(c.kind, c.object_id, c.label, c.what) for c in made.changes.all()] == [
        ("goal", goal.pk, "More referrals to iCBT", "adapted"),
        ("barrier", barrier.pk, "GPs forget to refer", "added"),
        ("option", option.pk, "Audit and feedback", "dropped"),
        ("task", task.pk, "Task 0", "added"),
        ("criterion", criterion.pk, "Criterion 0", "rerated")]
    assert all(c.project == project and c.organisation == project.organisation for c in made.changes.all())
    assert str(made.changes.get(kind="barrier")) == "Barrier “GPs forget to refer” added"


def test_a_change_pointing_to_another_projects_barrier_is_refused(project, sibling, iteration, alice):
    theirs = Barrier.objects.create(organisation=sibling.organisation, project=sibling, custom_name="Theirs",
                                    custom_category="Other", created_by=alice)
    with pytest.raises(ValidationError) as excinfo:
        record(project, iteration, alice, [group(project, alice)], changes=[(Kind.BARRIER, theirs.pk, What.ADDED)])
    assert "changes" in errors_of(excinfo)
    assert not EngagementRecord.objects.exists() and not EngagementChange.objects.exists()


@pytest.mark.parametrize("change", [
    ("meeting", 1, "added"), ("barrier", 999_999, "added"), ("barrier", None, "zapped")])
def test_a_change_of_an_unknown_kind_object_or_verb_is_refused(project, iteration, alice, change):
    barrier = Barrier.objects.get(project=project)
    kind, object_id, what = change
    with pytest.raises(ValidationError) as excinfo:
        record(project, iteration, alice, [group(project, alice)], changes=[(kind, object_id or barrier.pk, what)])
    assert "changes" in errors_of(excinfo)
    assert not EngagementRecord.objects.exists()


def test_updating_a_record_with_changes_replaces_its_list(project, iteration, alice):
    goal = Goal.objects.get(project=project)
    barrier = Barrier.objects.get(project=project)
    option = StrategyOption.objects.get(project=project)
    clinicians = group(project, alice)
    made = record(project, iteration, alice, [clinicians], changes=[
        (Kind.GOAL, goal.pk, What.ADAPTED), (Kind.BARRIER, barrier.pk, What.ADDED)])
    kept_pk = made.changes.get(kind="barrier").pk
    updated = services.engagement_record_update(
        record=made, user=alice, version=1, step=Step.GOALS, date=timezone.localdate(), approach=Approach.MEETING,
        groups=[clinicians], heard="Edited", changes=[(Kind.BARRIER, barrier.pk, What.ADDED),
                                                      (Kind.OPTION, option.pk, What.DROPPED)])
    assert sorted((c.kind, c.object_id, c.what) for c in updated.changes.all()) == [
        ("barrier", barrier.pk, "added"), ("option", option.pk, "dropped")]
    assert updated.changes.get(kind="barrier").pk == kept_pk
    assert updated.heard == "Edited" and updated.version == 2

    again = services.engagement_record_update(
        record=updated, user=alice, version=2, step=Step.GOALS, date=timezone.localdate(),
        approach=Approach.MEETING, groups=[clinicians], heard="Without changes given")
    assert again.changes.count() == 2  # changes=None keeps the list
    cleared = services.engagement_record_update(
        record=again, user=alice, version=3, step=Step.GOALS, date=timezone.localdate(),
        approach=Approach.MEETING, groups=[clinicians], heard="Cleared", changes=[])
    assert cleared.changes.count() == 0


def test_updating_a_record_replaces_its_groups_and_may_keep_a_removed_one(project, iteration, alice):
    clinicians = group(project, alice)
    nurses = group(project, alice, name="Nurses")
    other_gone = group(project, alice, name="Other gone")
    made = record(project, iteration, alice, [clinicians])
    services.stakeholder_group_remove(group=clinicians, user=alice, version=1)
    services.stakeholder_group_remove(group=other_gone, user=alice, version=1)
    clinicians.refresh_from_db()
    other_gone.refresh_from_db()
    updated = services.engagement_record_update(
        record=made, user=alice, version=1, step=Step.GOALS, date=made.date, approach=Approach.MEETING,
        groups=[clinicians, nurses], heard="Both")
    assert set(updated.groups.all()) == {clinicians, nurses}
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_record_update(
            record=updated, user=alice, version=2, step=Step.GOALS, date=made.date, approach=Approach.MEETING,
            groups=[nurses, other_gone], heard="Both")
    assert "groups" in errors_of(excinfo)


def test_updating_a_record_from_an_old_version_is_refused_as_stale(project, iteration, alice):
    clinicians = group(project, alice)
    made = record(project, iteration, alice, [clinicians])
    services.engagement_record_update(record=made, user=alice, version=1, step=Step.GOALS, date=made.date,
                                      approach=Approach.MEETING, groups=[clinicians], heard="First edit")
    with pytest.raises(StaleEdit):
        services.engagement_record_update(record=made, user=alice, version=1, step=Step.GOALS, date=made.date,
                                          approach=Approach.MEETING, groups=[clinicians], heard="Second edit")
    made.refresh_from_db()
    assert made.heard == "First edit" and made.version == 2


def test_updating_a_record_to_a_future_date_is_refused(project, iteration, alice):
    clinicians = group(project, alice)
    made = record(project, iteration, alice, [clinicians])
    with pytest.raises(ValidationError) as excinfo:
        services.engagement_record_update(record=made, user=alice, version=1, step=Step.GOALS,
                                          date=timezone.localdate() + timedelta(days=7),
                                          approach=Approach.MEETING, groups=[clinicians], heard="x")
    assert list(errors_of(excinfo)) == ["date"]


def test_a_record_is_deleted_with_its_changes(project, iteration, alice):
    barrier = Barrier.objects.get(project=project)
    made = record(project, iteration, alice, [group(project, alice)], changes=[(Kind.BARRIER, barrier.pk, "added")])
    services.engagement_record_delete(record=made, user=alice)
    assert not EngagementRecord.objects.exists() and not EngagementChange.objects.exists()


def test_changes_for_gives_the_records_behind_each_object(project, iteration, alice):
    barrier = Barrier.objects.get(project=project)
    goal = Goal.objects.get(project=project)
    clinicians = group(project, alice)
    first = record(project, iteration, alice, [clinicians], changes=[(Kind.BARRIER, barrier.pk, "added")])
    second = record(project, iteration, alice, [clinicians], changes=[(Kind.BARRIER, barrier.pk, "rerated"),
                                                                     (Kind.GOAL, goal.pk, "adapted")])
    found = selectors.changes_for(project, Kind.BARRIER, [barrier.pk, 999_999])
    assert list(found) == [barrier.pk]
    assert [c.record for c in found[barrier.pk]] == [first, second]
    assert list(selectors.changes_for(project, Kind.GOAL, [goal.pk])[goal.pk][0].record.changes.all()) == list(
        second.changes.all())


# --- the picture across the project ----------------------------------------------------------------

def cell(rows, group_, step):
    row = next(r for r in rows if r["group"] == group_)
    return next(c for c in row["cells"] if c["step"].code == step)


def test_the_grid_shows_planned_and_done_cells_and_names_the_groups_never_engaged(project, iteration, alice):
    clinicians = group(project, alice, name="Clinicians")
    nurses = group(project, alice, name="Nurses")
    patients = group(project, alice, name="Patients")
    plan(project, iteration, alice, clinicians, step=Step.GOALS)
    plan(project, iteration, alice, nurses, step=Step.MATCH)
    plan(project, iteration, alice, nurses, step=Step.MATCH, approach=Approach.SURVEY)
    record(project, iteration, alice, [clinicians], step=Step.GOALS)
    record(project, iteration, alice, [clinicians, patients], step=Step.PLAN)
    record(project, iteration, alice, [clinicians], step=Step.PLAN)

    picture = selectors.grid(project)
    assert [info.code for info in picture["steps"]] == [info.code for info in selectors.steps.CYCLE]
    assert [r["group"] for r in picture["rows"]] == [clinicians, nurses, patients]
    assert cell(picture["rows"], clinicians, Step.GOALS) | {"step": None} == {
        "step": None, "planned": 1, "done": 1, "state": "done"}
    assert cell(picture["rows"], clinicians, Step.PLAN)["done"] == 2
    assert cell(picture["rows"], nurses, Step.MATCH) | {"step": None} == {
        "step": None, "planned": 2, "done": 0, "state": "planned"}
    assert cell(picture["rows"], patients, Step.PLAN)["state"] == "done"
    assert cell(picture["rows"], patients, Step.GOALS) | {"step": None} == {
        "step": None, "planned": 0, "done": 0, "state": ""}
    assert [r["engaged"] for r in picture["rows"]] == [True, False, True]
    assert picture["never_engaged"] == [nurses]


def test_the_grid_keeps_a_removed_group_that_had_a_plan_but_not_one_without(project, iteration, alice):
    planned = group(project, alice, name="Planned then removed")
    reached = group(project, alice, name="Reached then removed")
    bare = group(project, alice, name="Removed bare")
    plan(project, iteration, alice, planned, step=Step.MATCH)
    record(project, iteration, alice, [reached])
    for g in (planned, reached, bare):
        services.stakeholder_group_remove(group=g, user=alice, version=1)

    picture = selectors.grid(project)
    assert [r["group"].pk for r in picture["rows"]] == [planned.pk, reached.pk]
    assert cell(picture["rows"], planned, Step.MATCH)["state"] == "planned"
    assert picture["never_engaged"] == []  # a removed group is not to be engaged any more


def test_the_grid_of_a_project_without_groups_is_empty(project):
    picture = selectors.grid(project)
    assert picture["rows"] == [] and picture["never_engaged"] == []


def test_the_grid_counts_only_the_projects_own_plans_and_records(project, sibling, iteration, alice):
    ours = group(project, alice, name="Clinicians")
    theirs = group(sibling, alice, name="Clinicians")
    record(sibling, sibling.current_iteration, alice, [theirs])
    picture = selectors.grid(project)
    assert [r["group"] for r in picture["rows"]] == [ours]
    assert picture["never_engaged"] == [ours]


def test_groups_of_counts_plans_and_records(project, iteration, alice):
    clinicians = group(project, alice)
    nurses = group(project, alice, name="Nurses")
    plan(project, iteration, alice, clinicians)
    plan(project, iteration, alice, clinicians, step=Step.MATCH)
    record(project, iteration, alice, [clinicians, nurses])
    record(project, iteration, alice, [clinicians])
    counts = {g.name: (g.plans_count, g.records_count) for g in selectors.groups_of(project)}
    assert counts == {"Clinicians": (2, 2), "Nurses": (0, 1)}


def test_step_summary_gives_the_steps_plans_its_records_and_the_groups_not_reached(project, iteration, alice):
    clinicians = group(project, alice, name="Clinicians")
    group(project, alice, name="Nurses")
    gone = group(project, alice, name="Gone")
    services.stakeholder_group_remove(group=gone, user=alice, version=1)
    goals_plan = plan(project, iteration, alice, clinicians, step=Step.GOALS)
    plan(project, iteration, alice, clinicians, step=Step.MATCH)
    record(project, iteration, alice, [clinicians], step=Step.MATCH)
    summary = selectors.step_summary(project, iteration, Step.GOALS)
    assert summary == {"plans": [goals_plan], "records": 0, "groups": 2, "not_reached": ["Nurses"]}
    assert selectors.step_summary(project, iteration, Step.MATCH)["records"] == 1


def test_organisation_counts_counts_per_group_name_across_projects_whatever_its_case(
        project, sibling, foreign, iteration, alice, mallory):
    clinicians = group(project, alice, name="Clinicians")
    patients = group(project, alice, name="Patients")
    their_clinicians = group(sibling, alice, name="CLINICIANS")
    gone = group(sibling, alice, name="Gone")
    services.stakeholder_group_remove(group=gone, user=alice, version=1)
    group(foreign, mallory, name="Clinicians")
    record(project, iteration, alice, [clinicians, patients], people=10)
    record(project, iteration, alice, [clinicians], people=None)
    record(sibling, sibling.current_iteration, alice, [their_clinicians], people=4)

    rows = selectors.organisation_counts(project.organisation)
    assert [(r["name"].lower(), r["projects"], r["records"], r["people"]) for r in rows] == [
        ("clinicians", 2, 3, 14), ("patients", 1, 1, 10)]

    only_sibling = selectors.organisation_counts(project.organisation,
                                                 projects=type(project).objects.filter(pk=sibling.pk))
    assert [(r["name"], r["projects"], r["records"], r["people"]) for r in only_sibling] == [
        ("CLINICIANS", 1, 1, 4)]


def test_organisation_counts_gives_zero_people_for_groups_never_reached(project, alice):
    group(project, alice, name="Nurses")
    assert selectors.organisation_counts(project.organisation) == [
        {"name": "Nurses", "projects": 1, "records": 0, "people": 0}]


# --- reads stay bounded ----------------------------------------------------------------------------

def _fill(project, iteration, user, n):
    barrier = Barrier.objects.get(project=project)
    goal = Goal.objects.get(project=project)
    groups = [group(project, user, name=f"Group {i}") for i in range(3)]
    for i in range(n):
        record(project, iteration, user, groups[: 1 + i % 3], step=[Step.GOALS, Step.MATCH][i % 2],
               date=timezone.localdate() - timedelta(days=i),
               changes=[(Kind.BARRIER, barrier.pk, What.RERATED), (Kind.GOAL, goal.pk, What.ADAPTED)][: 1 + i % 2])
        plan(project, iteration, user, groups[i % 3], step=Step.PLAN)


def _read_all(project):
    picture = selectors.grid(project)
    seen = [(c["planned"], c["done"]) for r in picture["rows"] for c in r["cells"]]
    for rec in selectors.records_of(project):
        seen += [g.name for g in rec.groups.all()] + [c.label for c in rec.changes.all()]
        seen += [rec.iteration.number, rec.created_by.email, rec.consultation]
    return seen


@pytest.mark.parametrize("n", [2, 6])
def test_the_grid_and_the_records_take_the_same_number_of_queries_whatever_their_number(
        project, iteration, alice, n):
    _fill(project, iteration, alice, n)
    with CaptureQueriesContext(connection) as queries:
        _read_all(project)
    # grid: groups, plans, records; records_of: records, their groups, their changes.
    assert len(queries) == 6, [q["sql"] for q in queries]


def test_records_of_filters_by_step_newest_first(project, iteration, alice):
    clinicians = group(project, alice)
    old = record(project, iteration, alice, [clinicians], step=Step.GOALS, date=timezone.localdate() - timedelta(5))
    new = record(project, iteration, alice, [clinicians], step=Step.GOALS)
    record(project, iteration, alice, [clinicians], step=Step.MATCH)
    assert list(selectors.records_of(project, step=Step.GOALS)) == [new, old]
    assert selectors.records_of(project).count() == 3


# --- a project's consultation that closes adds a record --------------------------------------------

T = ConsultationTemplate

@pytest.fixture
def survey(project, iteration, alice):
    """A consultation made from step 1 of the project (barrier prioritisation)."""
    return stakeholders.consultation_from_step(project=project, iteration=iteration,
                                               template=T.BARRIER_PRIORITISATION, user=alice)


def closed_by_hand(consultation, user):
    return delivery.consultation_close(consultation=consultation, actor=user)


def test_a_consultation_made_from_a_project_step_is_tied_to_the_project(project, survey):
    assert (survey.subject_type, survey.subject_id, survey.template) == ("project", project.pk,
                                                                          T.BARRIER_PRIORITISATION)


def test_a_project_consultation_closed_by_hand_adds_one_survey_record_of_the_planned_groups(
        project, iteration, alice, survey):
    clinicians = group(project, alice, name="Clinicians")
    nurses = group(project, alice, name="Nurses")
    group(project, alice, name="Not planned for this survey")
    plan(project, iteration, alice, clinicians, step=Step.MATCH, approach=Approach.SURVEY, consultation=survey)
    plan(project, iteration, alice, nurses, step=Step.MATCH, approach=Approach.SURVEY, consultation=survey)
    for _n in range(3):
        add_response(survey, {})

    closed_by_hand(survey, alice)

    made = EngagementRecord.objects.get()
    assert made.consultation == survey and made.approach == Approach.SURVEY and made.people == 3
    assert set(made.groups.all()) == {clinicians, nurses}
    assert made.step == Step.MATCH  # the step of the plan that names it
    assert made.iteration == iteration and made.date == timezone.localdate()
    assert survey.title in made.heard and "3 responses" in made.heard
    survey.refresh_from_db()
    assert survey.closing_announced_at is not None

    delivery.closings_announce_due()
    delivery.closings_announce_due(now=timezone.now() + timedelta(days=365))
    assert EngagementRecord.objects.count() == 1


def test_a_project_consultation_without_a_plan_is_recorded_in_its_templates_step_for_the_survey_groups(
        project, iteration, alice, survey):
    asked = group(project, alice, name="Asked by survey")
    met = group(project, alice, name="Met in person")
    plan(project, iteration, alice, asked, step=Step.GOALS, approach=Approach.SURVEY)
    plan(project, iteration, alice, met, step=Step.GOALS, approach=Approach.MEETING)

    closed_by_hand(survey, alice)

    made = EngagementRecord.objects.get()
    assert made.step == Step.GOALS and made.people is None
    assert list(made.groups.all()) == [asked]


def test_a_project_consultation_whose_closing_time_passed_gets_its_record_from_the_reminder_job(
        project, iteration, alice, survey):
    clinicians = group(project, alice)
    plan(project, iteration, alice, clinicians, approach=Approach.SURVEY, consultation=survey)
    add_response(survey, {})
    past = timezone.now() - timedelta(hours=1)
    Consultation.objects.filter(pk=survey.pk).update(opens_at=past - timedelta(days=7), closes_at=past)

    result = send_due_reminders.enqueue()
    assert result.status == "SUCCESSFUL", result.traceback  # the immediate backend keeps the task's error

    made = EngagementRecord.objects.get()
    assert made.consultation_id == survey.pk and made.people == 1 and list(made.groups.all()) == [clinicians]
    assert made.date == timezone.localdate(past)
    send_due_reminders.enqueue()
    assert EngagementRecord.objects.count() == 1


def test_a_planned_survey_that_closes_after_the_team_went_back_is_recorded_in_the_current_iteration(
        project, iteration, alice, survey):
    clinicians = group(project, alice)
    plan(project, iteration, alice, clinicians, step=Step.MATCH, approach=Approach.SURVEY, consultation=survey)
    second = went_back(iteration, alice)

    closed_by_hand(survey, alice)

    made = EngagementRecord.objects.get()
    assert made.iteration == second
    assert list(made.groups.all()) == [clinicians]


def test_a_consultation_not_made_for_a_project_adds_no_record(project, alice):
    consultation = make_consultation(project.organisation, alice)[0]
    closed_by_hand(consultation, alice)
    consultation.refresh_from_db()
    assert consultation.closing_announced_at is not None
    assert not EngagementRecord.objects.exists()


def test_a_consultation_pointing_at_a_project_of_another_organisation_adds_no_record(
        project, foreign, alice, mallory):
    consultation = make_consultation(foreign.organisation, mallory, subject_type="project",
                                     subject_id=project.pk)[0]
    assert services.engagement_consultation_closed(consultation) is None
    assert not EngagementRecord.objects.exists()


def test_a_closed_consultation_adds_its_record_once_with_the_groups_of_its_plan(project, iteration, alice, survey):
    """``record_from_consultation`` on its own (what the listener calls)."""
    clinicians = group(project, alice)
    plan(project, iteration, alice, clinicians, approach=Approach.SURVEY, consultation=survey)
    Consultation.objects.filter(pk=survey.pk).update(closed_at=timezone.now())
    survey.refresh_from_db()
    made = services.record_from_consultation(survey, project=project, iteration=iteration, step=Step.GOALS,
                                             responses=0)
    assert made.people is None and made.approach == Approach.SURVEY and list(made.groups.all()) == [clinicians]
    assert "0 responses" in made.heard and made.created_by is None
    assert services.record_from_consultation(survey, project=project, iteration=iteration, step=Step.GOALS,
                                             responses=4) is None
    assert EngagementRecord.objects.count() == 1


def test_a_consultation_that_closes_on_a_later_day_is_recorded_today_at_the_latest(project, iteration, survey):
    """A consultation closed by a planned time that is still ahead (called early) is never dated in
    the future, since records refuse future dates."""
    Consultation.objects.filter(pk=survey.pk).update(closes_at=timezone.now() + timedelta(days=10))
    survey.refresh_from_db()
    made = services.record_from_consultation(survey, project=project, iteration=iteration, step=Step.GOALS,
                                             responses=2)
    assert made.date == timezone.localdate() and made.people == 2
