"""Stakeholder engagement through the API (issue 17): the map, its named people (the project team's
only), plans, records and the groups × steps picture, with the same services and permissions as the
pages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tailorkit.conftest import make_user
from tailorkit.core.models import Membership, Role
from tailorkit.projects.models import EngagementPlan, EngagementRecord, StakeholderGroup, StakeholderPerson
from tailorkit.projects.services import engagement, goals
from tailorkit.projects.services.projects import project_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org, alice, bob, library):
    return project_create(organisation=org, user=alice, name="Referrals", service="iCBT", team=[alice, bob],
                          determinant_pack=library["determinants"], strategy_pack=library["strategies"])


@pytest.fixture
def erin(org):
    """A member of the organisation who may edit its projects but is not on this project's team."""
    user = make_user("erin@example.org", "Erin Member")
    Membership.objects.create(organisation=org, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def group(project, alice):
    group = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer",
                                                side="external", relation="refers")
    engagement.stakeholder_person_add(group=group, user=alice, name="Dr Lee", role="GP", contact="lee@example.org")
    return group


class Api:
    """``api.post("/stakeholders", {...}, 201)`` checks the status and returns the JSON body (None for 204)."""

    def __init__(self, client, org, project):
        self.client = client
        self.base = f"/api/organisations/{org.slug}/projects/{project.pk}"

    def call(self, method, path, body=None, expect=200):
        if method == "get":
            response = self.client.get(self.base + path)
        else:
            response = getattr(self.client, method)(self.base + path, body, content_type="application/json")
        assert response.status_code == expect, (method, path, response.status_code, response.content)
        return response.json() if response.content else None

    def __getattr__(self, method):
        return lambda path, body=None, expect=200: self.call(method, path, body, expect)


@pytest.fixture
def api_for(bearer, org, project):
    return lambda user: Api(bearer(user), org, project)


def test_a_team_maps_its_stakeholders_plans_and_records_what_was_done(api_for, alice, project):
    api = api_for(alice)
    today = timezone.localdate()
    goal = goals.goal_create(project=project, user=alice, target_group="Adults", end_goal="More referrals")

    # The map: two groups, a named person, a change to one group.
    gps = api.post("/stakeholders", {"name": "GPs who refer", "side": "external", "relation": "refers",
                                     "affected": 2, "influence": 5}, 201)
    assert (gps["name"], gps["influence"], gps["people"], gps["records_count"]) == ("GPs who refer", 5, [], 0)
    nurses = api.post("/stakeholders", {"name": "Nurses"}, 201)
    assert (nurses["side"], nurses["relation"], nurses["affected"]) == ("internal", "delivers", 3)
    person = api.post(f"/stakeholders/{gps['id']}/people", {"name": "Dr Lee", "role": "GP"}, 201)
    assert person["name"] == "Dr Lee" and person["contact"] == ""
    gps = api.put(f"/stakeholders/{gps['id']}", {"name": "GPs", "side": "external", "relation": "refers",
                                                 "influence": 4, "version": gps["version"]})
    assert (gps["name"], gps["influence"], gps["version"]) == ("GPs", 4, 2)
    listed = api.get("/stakeholders")
    assert [g["name"] for g in listed["items"]] == ["GPs", "Nurses"] and listed["count"] == 2
    assert listed["items"][0]["people"] == [{"id": person["id"], "name": "Dr Lee", "role": "GP", "contact": ""}]

    # A plan in the current iteration, changed once.
    plan = api.post("/engagement/plans", {"step": "goals", "group_id": gps["id"], "objective": "decide",
                                          "approach": "workshop", "note": "At the GP meeting"}, 201)
    assert (plan["iteration"], plan["group"]["name"], plan["consultation_id"]) == (1, "GPs", None)
    plan = api.put(f"/engagement/plans/{plan['id']}", {"step": "match", "group_id": gps["id"], "approach": "meeting",
                                                        "version": plan["version"]})
    assert (plan["step"], plan["approach"], plan["objective"], plan["note"]) == ("match", "meeting", "learn", "")
    assert [p["id"] for p in api.get("/engagement/plans?step=match")["items"]] == [plan["id"]]
    assert api.get("/engagement/plans?step=goals")["count"] == 0

    # A record of what was done, with an item changed because of it.
    record = api.post("/engagement/records", {
        "step": "goals", "date": (today - timedelta(days=2)).isoformat(), "approach": "meeting",
        "group_ids": [gps["id"], nurses["id"]], "people": 12, "heard": "Forms are too long.",
        "changes": [{"kind": "goal", "object_id": goal.pk, "what": "adapted"}]}, 201)
    assert [g["name"] for g in record["groups"]] == ["GPs", "Nurses"]
    assert record["changes"] == [{"kind": "goal", "object_id": goal.pk, "label": "More referrals",
                                  "what": "adapted"}]
    assert record["consultation_id"] is None and record["created_by"]["email"] == "alice@example.org"
    assert api.get(f"/engagement/records/{record['id']}")["heard"] == "Forms are too long."
    record = api.put(f"/engagement/records/{record['id']}", {
        "step": "goals", "date": today.isoformat(), "group_ids": [nurses["id"]], "heard": "Forms are far too long.",
        "version": record["version"]})
    assert [g["name"] for g in record["groups"]] == ["Nurses"] and record["people"] is None
    assert len(record["changes"]) == 1, "changes left out stay as they are"
    assert [r["id"] for r in api.get("/engagement/records?step=goals")["items"]] == [record["id"]]
    assert api.get("/engagement/records?step=plan")["items"] == []

    # The picture: nurses reached in step 1, GPs planned for step 2 and never reached.
    grid = api.get("/engagement/grid")
    assert grid["steps"][:2] == ["goals", "match"]
    rows = {r["name"]: r for r in grid["rows"]}
    assert rows["Nurses"]["engaged"] and rows["Nurses"]["cells"][0] == {"step": "goals", "planned": 0, "done": 1,
                                                                       "state": "done"}
    assert not rows["GPs"]["engaged"] and rows["GPs"]["cells"][1]["state"] == "planned"
    assert grid["never_engaged"] == ["GPs"]
    counts = {g["name"]: (g["records_count"], g["plans_count"]) for g in api.get("/stakeholders")["items"]}
    assert counts == {"GPs": (0, 1), "Nurses": (1, 0)}

    # Deleting and removing.
    api.delete(f"/engagement/records/{record['id']}", expect=204)
    api.delete(f"/engagement/plans/{plan['id']}", expect=204)
    assert not EngagementRecord.objects.filter(project=project).exists()
    assert not EngagementPlan.objects.filter(project=project).exists()
    api.delete(f"/stakeholders/{gps['id']}", {"version": gps["version"]}, expect=204)
    assert [g["name"] for g in api.get("/stakeholders")["items"]] == ["Nurses"]
    with_removed = {g["name"]: g for g in api.get("/stakeholders?removed=true")["items"]}
    assert with_removed["GPs"]["removed_at"] is not None and with_removed["Nurses"]["removed_at"] is None
    assert not StakeholderPerson.objects.filter(project=project).exists(), "a removed group's people are erased"
    api.put(f"/stakeholders/{gps['id']}", {"name": "GPs", "version": gps["version"] + 1}, expect=404)


def test_a_named_person_is_erased_for_good(api_for, bob, group):
    person = group.people.get()
    api_for(bob).delete(f"/stakeholder-people/{person.pk}", expect=204)
    assert not StakeholderPerson.objects.filter(pk=person.pk).exists()
    api_for(bob).delete(f"/stakeholder-people/{person.pk}", expect=404)


def test_a_stale_version_is_refused_with_the_row_as_saved(api_for, alice, project, group):
    api = api_for(alice)
    plan = engagement.engagement_plan_add(project=project, iteration=project.current_iteration, user=alice,
                                          step="goals", group=group, objective="learn", approach="meeting")
    record = engagement.engagement_record_add(project=project, iteration=project.current_iteration, user=alice,
                                              step="goals", date=timezone.localdate(), approach="meeting",
                                              groups=[group], heard="Noted")
    engagement.stakeholder_group_update(group=group, user=alice, version=1, name="GPs (all)", side="external",
                                        relation="refers", affected=3, influence=3)

    stale = api.put(f"/stakeholders/{group.pk}", {"name": "Mine", "version": 1}, expect=409)
    assert stale["current"]["name"] == "GPs (all)" and stale["current"]["version"] == 2
    assert "people" not in stale["current"], "a conflict never shows the named people"
    assert api.delete(f"/stakeholders/{group.pk}", {"version": 1}, expect=409)["current"]["version"] == 2
    assert StakeholderGroup.objects.get(pk=group.pk).removed_at is None

    stale = api.put(f"/engagement/plans/{plan.pk}", {"step": "plan", "group_id": group.pk, "version": 5}, expect=409)
    assert stale["current"]["step"] == "goals"
    stale = api.put(f"/engagement/records/{record.pk}", {"step": "goals", "date": timezone.localdate().isoformat(),
                                                         "group_ids": [group.pk], "heard": "Mine", "version": 5},
                    expect=409)
    assert stale["current"]["heard"] == "Noted"
    assert EngagementRecord.objects.get(pk=record.pk).heard == "Noted"


def test_a_future_date_is_refused_with_the_field_named(api_for, alice, project, group):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = api_for(alice).post("/engagement/records", {"step": "goals", "date": tomorrow, "group_ids": [group.pk],
                                                          "heard": "Not yet"}, expect=400)
    assert list(refused["errors"]) == ["date"] and "not come yet" in refused["errors"]["date"][0]
    assert not EngagementRecord.objects.filter(project=project).exists()


def test_refusals_name_the_fields_of_the_request(api_for, alice, org, library, project, group):
    api = api_for(alice)
    other = project_create(organisation=org, user=alice, name="Other", service="iCBT",
                           determinant_pack=library["determinants"], strategy_pack=library["strategies"])
    theirs = engagement.stakeholder_group_create(project=other, user=alice, name="Theirs")
    refused = api.post("/engagement/plans", {"step": "goals", "group_id": theirs.pk}, expect=400)
    assert list(refused["errors"]) == ["group_id"]
    refused = api.post("/engagement/records", {"step": "goals", "date": timezone.localdate().isoformat(),
                                               "group_ids": [group.pk, theirs.pk], "heard": "x"}, expect=400)
    assert list(refused["errors"]) == ["group_ids"]
    refused = api.post("/stakeholders", {"name": "gps who refer"}, expect=400)
    assert "already has a group" in refused["errors"]["name"][0]
    assert api.post("/stakeholders", {"name": "x", "affected": 6}, expect=422)
    # A row of another project of the same organisation is a 404, like one that does not exist.
    api.put(f"/stakeholders/{theirs.pk}", {"name": "Mine", "version": 0}, expect=404)
    api.post(f"/stakeholders/{theirs.pk}/people", {"name": "Someone"}, expect=404)


def test_only_the_project_team_sees_and_names_people(api_for, alice, bob, dave, erin, group):
    person = group.people.get()
    assert api_for(bob).get("/stakeholders")["items"][0]["people"][0]["name"] == "Dr Lee"

    for user in (erin, dave):  # a member off the team (who may edit the project) and a viewer
        api = api_for(user)
        listed = api.get("/stakeholders")
        assert listed["items"][0]["name"] == "GPs who refer" and listed["items"][0]["people"] is None
        assert b"Dr Lee" not in api.client.get(api.base + "/stakeholders?removed=true").content
        api.post(f"/stakeholders/{group.pk}/people", {"name": "Someone"}, expect=404)
        api.delete(f"/stakeholder-people/{person.pk}", expect=404)
    assert StakeholderPerson.objects.filter(group=group).count() == 1

    # Erin may still change the map; what she gets back carries no people either.
    made = api_for(erin).post("/stakeholders", {"name": "Receptionists"}, 201)
    assert made["people"] is None
    assert api_for(alice).get("/stakeholders")["items"][1]["people"] == []


def test_a_viewer_reads_but_does_not_write(api_for, dave, group):
    api = api_for(dave)
    assert api.get("/engagement/grid")["rows"][0]["name"] == "GPs who refer"
    api.post("/stakeholders", {"name": "Patients"}, expect=403)
    api.put(f"/stakeholders/{group.pk}", {"name": "Mine", "version": 0}, expect=403)
    api.delete(f"/stakeholders/{group.pk}", {"version": 0}, expect=403)
    assert StakeholderGroup.objects.get(pk=group.pk).removed_at is None


def test_a_team_viewer_may_not_name_people(api_for, project, dave, group):
    project.team.add(dave)
    api = api_for(dave)
    assert api.get("/stakeholders")["items"][0]["people"][0]["name"] == "Dr Lee"
    api.post(f"/stakeholders/{group.pk}/people", {"name": "Someone"}, expect=403)
    api.delete(f"/stakeholder-people/{group.people.get().pk}", expect=403)


def test_an_outsider_gets_404(api_for, mallory, project, alice, group):
    api = api_for(mallory)
    record = engagement.engagement_record_add(project=project, iteration=project.current_iteration, user=alice,
                                              step="goals", date=timezone.localdate(), approach="meeting",
                                              groups=[group], heard="Noted")
    for path in ("/stakeholders", "/engagement/plans", "/engagement/records", f"/engagement/records/{record.pk}",
                 "/engagement/grid"):
        assert api.get(path, expect=404) == {"detail": "Not Found"}
    api.post("/stakeholders", {"name": "Mine"}, expect=404)
    api.delete(f"/stakeholders/{group.pk}", {"version": 0}, expect=404)
    api.delete(f"/stakeholder-people/{group.people.get().pk}", expect=404)
    assert StakeholderGroup.objects.get(pk=group.pk).removed_at is None


def test_the_groups_are_paged(api_for, alice, project):
    for name in ("A", "B", "C"):
        engagement.stakeholder_group_create(project=project, user=alice, name=name)
    api = api_for(alice)
    first = api.get("/stakeholders?limit=2")
    assert [g["name"] for g in first["items"]] == ["A", "B"] and first["count"] == 3 and first["previous"] is None
    assert first["next"].endswith("/stakeholders?limit=2&offset=2")
    assert [g["name"] for g in api.get("/stakeholders?limit=2&offset=2")["items"]] == ["C"]
    api.get("/stakeholders?limit=501", expect=422)


@pytest.mark.parametrize("path", ["/stakeholders", "/engagement/plans", "/engagement/records", "/engagement/grid"])
def test_lists_make_as_many_queries_for_many_rows_as_for_a_few(api_for, alice, project, path):
    api = api_for(alice)
    iteration = project.current_iteration
    counts = []
    for n in (2, 7):
        while StakeholderGroup.objects.filter(project=project).count() < n:
            i = StakeholderGroup.objects.filter(project=project).count()
            group = engagement.stakeholder_group_create(project=project, user=alice, name=f"Group {i}")
            engagement.stakeholder_person_add(group=group, user=alice, name=f"Person {i}")
            engagement.engagement_plan_add(project=project, iteration=iteration, user=alice, step="goals",
                                           group=group, objective="learn", approach="meeting")
            engagement.engagement_record_add(project=project, iteration=iteration, user=alice, step="goals",
                                             date=timezone.localdate(), approach="meeting", groups=[group],
                                             heard="Noted")
        with CaptureQueriesContext(connection) as queries:
            api.get(path)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
