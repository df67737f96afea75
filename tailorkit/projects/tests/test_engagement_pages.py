"""Stakeholder engagement pages (issue 17): the map, plans, records, the step panels, the project
home's picture and the organisation's counts."""

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tailorkit.core.models import AuditEvent, Membership, Role
from tailorkit.projects.models import EngagementRecord, StakeholderGroup, StakeholderPerson, Step
from tailorkit.projects.services import engagement as services
from tailorkit.projects.services import goals as goal_services

pytestmark = pytest.mark.django_db


def url(name, project, *args):
    return reverse(f"projects:{name}", args=[project.organisation.slug, project.pk, *args])


@pytest.fixture
def groups(project, alice):
    made = {}
    for name, affected, influence in (("Therapists", 5, 4), ("GPs who refer", 3, 4), ("Patients", 5, 1)):
        made[name] = services.stakeholder_group_create(project=project, user=alice, name=name, affected=affected,
                                                       influence=influence)
    return made


def _svg(page_html):
    start = page_html.index("data:image/svg+xml;base64,") + len("data:image/svg+xml;base64,")
    return base64.b64decode(page_html[start:page_html.index('"', start)]).decode()


def test_the_map_draws_every_group_and_marks_those_not_engaged(client_for, alice, project, groups):
    services.engagement_record_add(project=project, iteration=project.current_iteration, user=alice,
                                   step=Step.GOALS, date=timezone.localdate(), approach="meeting",
                                   groups=[groups["Therapists"]], heard="Forms take too long")
    page = client_for(alice).get(url("project_stakeholders", project))
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 groups have not been engaged yet." in html
    svg = _svg(html)
    assert svg.count("<circle") == 3 + 2          # three groups and the two legend marks
    assert svg.count('stroke-dasharray="4,3"') == 2  # the two groups not engaged are hollow and dashed
    assert "not yet" in html and "1 time" in html


def test_an_empty_map_says_where_to_start(client_for, alice, project):
    html = client_for(alice).get(url("project_stakeholders", project)).content.decode()
    assert "No groups on the map yet." in html
    assert "data:image/svg+xml" not in html


def test_adding_a_group_with_a_taken_name_is_refused_at_the_field(client_for, alice, project, groups):
    page = client_for(alice).post(url("project_group_create", project), {
        "name": "therapists", "side": "internal", "relation": "delivers", "affected": 3, "influence": 3})
    assert page.status_code == 400
    assert "already has a group called" in page.content.decode()
    assert StakeholderGroup.objects.filter(project=project).count() == 3


def test_a_stale_group_edit_shows_the_conflict(client_for, alice, project, groups):
    group = groups["Patients"]
    services.stakeholder_group_update(group=group, user=alice, version=group.version, name="Patients and carers",
                                      side="external", relation="receives", affected=5, influence=2)
    page = client_for(alice).post(url("project_group_edit", project, group.pk), {
        "name": "Service users", "side": "external", "relation": "receives", "affected": 5, "influence": 1,
        "version": group.version})
    assert page.status_code == 200
    assert "Patients and carers" in page.content.decode()
    group.refresh_from_db()
    assert group.name == "Patients and carers"


def test_named_people_are_shown_to_the_team_only(client_for, alice, dave, org, project, groups):
    services.stakeholder_person_add(group=groups["Therapists"], user=alice, name="Dr Ada Lovelace", role="Lead")
    assert StakeholderPerson.objects.count() == 1
    assert "Dr Ada Lovelace" in client_for(alice).get(url("project_stakeholders", project)).content.decode()
    client = client_for(dave)                          # a viewer of the organisation, not on the team
    html = client.get(url("project_stakeholders", project)).content.decode()
    assert "Dr Ada Lovelace" not in html
    assert "shown only to the project's team" in html


def test_a_member_off_the_team_gets_404_for_named_people(client_for, org, project, groups):
    from tailorkit.conftest import make_user

    eve = make_user("eve@example.org", "Eve Member")
    Membership.objects.create(organisation=org, user=eve, role=Role.MEMBER)
    person = services.stakeholder_person_add(group=groups["Therapists"], user=eve, name="Dr Who")
    client = client_for(eve)
    assert client.get(url("project_person_add", project, groups["Therapists"].pk)).status_code == 404
    assert client.post(url("project_person_erase", project, person.pk)).status_code == 404
    assert StakeholderPerson.objects.filter(pk=person.pk).exists()


def test_erasing_a_person_leaves_no_trace_of_the_name(client_for, alice, project, groups):
    person = services.stakeholder_person_add(group=groups["Therapists"], user=alice, name="Grace Hopper",
                                             contact="grace@example.org")
    client = client_for(alice)
    assert "Grace Hopper" in client.get(url("project_person_erase", project, person.pk)).content.decode()
    page = client.post(url("project_person_erase", project, person.pk))
    assert page.status_code == 302
    assert not StakeholderPerson.objects.exists()
    event = AuditEvent.objects.get(action="stakeholders.person_erased")
    assert "Grace" not in str(event.details) and "grace@" not in event.target


def test_removing_a_group_asks_first_and_keeps_its_records(client_for, alice, project, groups):
    group = groups["Patients"]
    record = services.engagement_record_add(project=project, iteration=project.current_iteration, user=alice,
                                            step=Step.GOALS, date=timezone.localdate(), approach="interview",
                                            groups=[group], heard="Hard to log in")
    client = client_for(alice)
    confirm = client.get(url("project_group_remove", project, group.pk))
    assert "Take “Patients” off the map?" in confirm.content.decode()
    assert client.post(url("project_group_remove", project, group.pk), {"version": group.version}).status_code == 302
    group.refresh_from_db()
    assert group.removed_at is not None
    assert list(record.groups.all()) == [group]
    html = client.get(url("project_record", project, record.pk)).content.decode()
    assert "Patients (removed)" in html


def test_recording_a_meeting_links_the_barrier_it_added(client_for, alice, project, groups):
    barrier = goal_services.barrier_add_custom(project=project, user=alice, name="No quiet rooms", category="Setting")
    page = client_for(alice).post(url("project_record_create", project), {
        "step": Step.GOALS, "date": timezone.localdate().isoformat(), "approach": "meeting",
        "groups": [groups["Therapists"].pk], "people": 6, "heard": "Sessions are interrupted",
        "changed": "Added a barrier", "changes": [f"barrier:{barrier.pk}:added"]})
    assert page.status_code == 302
    record = EngagementRecord.objects.get()
    assert [(c.kind, c.object_id, c.what, c.label) for c in record.changes.all()] == [
        ("barrier", barrier.pk, "added", "No quiet rooms")]
    html = client_for(alice).get(page["Location"]).content.decode()
    assert "Barrier “No quiet rooms” added" in html


def test_a_date_in_the_future_is_refused_at_the_date(client_for, alice, project, groups):
    page = client_for(alice).post(url("project_record_create", project), {
        "step": Step.GOALS, "date": (timezone.localdate() + timedelta(days=1)).isoformat(), "approach": "meeting",
        "groups": [groups["Therapists"].pk], "heard": "Not yet"})
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="id_date_error"' in html and "has not come yet" in html
    assert "Not yet" in html                          # what was typed is kept
    assert not EngagementRecord.objects.exists()


def test_a_record_needs_a_group(client_for, alice, project, groups):
    page = client_for(alice).post(url("project_record_create", project), {
        "step": Step.GOALS, "date": timezone.localdate().isoformat(), "approach": "meeting", "heard": "x"})
    assert page.status_code == 400
    assert "Tick at least one group you reached." in page.content.decode()


def test_a_plan_shows_on_its_step_page_and_the_engagement_page(client_for, alice, project, groups):
    client = client_for(alice)
    page = client.post(url("project_plan_create", project), {
        "step": Step.GOALS, "group": groups["GPs who refer"].pk, "objective": "learn", "approach": "survey"})
    assert page.status_code == 302
    step_page = client.get(url("project_step_goals", project)).content.decode()
    assert "Whom to involve in this step" in step_page
    assert "GPs who refer</strong>: Learn their view, survey" in step_page
    assert "Not heard yet in this project:" in step_page
    engagement = client.get(url("project_engagement", project)).content.decode()
    assert "○ planned" in engagement


def test_the_project_home_shows_the_groups_by_steps_picture(client_for, alice, project, groups):
    services.engagement_plan_add(project=project, iteration=project.current_iteration, user=alice, step=Step.PLAN,
                                 group=groups["Patients"], objective="codesign", approach="workshop")
    services.engagement_record_add(project=project, iteration=project.current_iteration, user=alice,
                                   step=Step.GOALS, date=timezone.localdate(), approach="meeting",
                                   groups=[groups["Therapists"]], heard="ok")
    html = client_for(alice).get(reverse("projects:project_home", args=[project.organisation.slug, project.pk]))
    html = html.content.decode()
    assert 'id="home-engagement-grid"' in html
    assert "✓ done" in html and "○ planned" in html
    assert "Not heard yet:" in html and "<strong>GPs who refer</strong>" in html


def test_read_only_members_see_no_edit_links(client_for, dave, project, groups):
    html = client_for(dave).get(url("project_engagement", project)).content.decode()
    assert "Record an engagement" not in html
    assert client_for(dave).get(url("project_record_create", project)).status_code == 403


def test_the_organisation_counts_groups_across_projects(client_for, alice, org, project, groups):
    services.engagement_record_add(project=project, iteration=project.current_iteration, user=alice,
                                   step=Step.GOALS, date=timezone.localdate(), approach="meeting",
                                   groups=[groups["Therapists"]], people=7, heard="ok")
    html = client_for(alice).get(reverse("projects:organisation_stakeholders", args=[org.slug])).content.decode()
    assert "<th scope=\"row\">Therapists</th><td>1</td><td>1</td><td>7</td>" in html


def test_guidance_on_engaging_stakeholders_is_reachable(client):
    page = client.get(reverse("projects:help_topic", args=["engaging-stakeholders"]))
    assert page.status_code == 200
    assert "Potthoff" in page.content.decode()
