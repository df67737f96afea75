"""Every step of a project through the API (issue 3, point 11): the same services and permissions
as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tailorkit.projects.models import Barrier, BarrierRating, Decision, EffortEntry, Goal, Iteration, StrategyOption
from tailorkit.projects.services.projects import project_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(org, alice, bob, library):
    return project_create(organisation=org, user=alice, name="Referrals", service="iCBT", team=[alice, bob],
                          determinant_pack=library["determinants"], strategy_pack=library["strategies"])


class Api:
    """A small script-like client: ``api.post("/goals", {...}, 201)`` checks the status and returns
    the JSON body (None for 204)."""

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
def as_alice(bearer, alice, org, project):
    return Api(bearer(alice), org, project)


def test_a_team_takes_a_project_through_all_four_steps_and_back(as_alice, project):
    api = as_alice
    today = timezone.localdate().isoformat()

    # Step 1: a goal, a barrier from the project's list, a rating, the focus.
    goal = api.post("/goals", {"target_group": "Adults with depression", "end_goal": "Twice the referrals"}, 201)
    barrier = api.post("/barriers", {"item": {"pack": "test-determinants", "code": "D1"},
                                     "notes": "GPs never saw the programme"}, 201)
    assert barrier["name"] == "Lack of training" and barrier["item"]["code"] == "D1"
    mine = api.put("/ratings", {str(barrier["id"]): {"importance": 5, "changeability": 4}})
    assert mine["ratings"][str(barrier["id"])]["importance"] == 5
    iteration = api.get("/iterations/1")
    iteration = api.put("/iterations/current/focus", {"goal_ids": [goal["id"]], "barrier_ids": [barrier["id"]],
                                                      "version": iteration["version"]})
    assert iteration["focus_goal_ids"] == [goal["id"]] and iteration["focus_barrier_ids"] == [barrier["id"]]

    # Step 2: candidates from the catalogue and custom, an appraisal, the choice.
    option = api.post("/options", {"barrier_id": barrier["id"], "item": {"pack": "test-strategies", "code": "S1"}}, 201)
    other = api.post("/options", {"barrier_id": barrier["id"], "name": "Peer champions",
                                  "description": "One clinician per team answers colleagues' questions."}, 201)
    option = api.put(f"/options/{option['id']}/appraisal", {"acceptability": {"rating": 4, "note": "Staff like it"},
                                                            "side-effects": {"rating": 5}})
    assert {a["criterion"]: a["rating"] for a in option["appraisals"]} == {"acceptability": 4, "side-effects": 5}
    iteration = api.put("/iterations/current/choice", {"option_id": option["id"], "version": iteration["version"],
                                                       "justification": "Best evidence for this barrier"})
    assert iteration["chosen_option_id"] == option["id"]

    # Step 3: specification, a task, a success criterion, plan ready.
    spec = api.put("/iterations/current/specification",
                   {"version": 0, "who_provides": "Team leads", "when_how_much": "Two sessions"})
    assert (spec["version"], spec["who_provides"], spec["why"]) == (1, "Team leads", "")
    task = api.post("/tasks", {"title": "Book the room", "owner": "bob@example.org", "due_date": today}, 201)
    assert task["owner"]["email"] == "bob@example.org" and task["status"] == "todo"
    task = api.patch(f"/tasks/{task['id']}", {"version": task["version"], "status": "done"})
    criterion = api.post("/criteria", {"description": "Referrals per month", "target_value": "40.5",
                                       "target_unit": "referrals", "target_date": today}, 201)
    assert api.post("/plan-ready")["step"] == "review"

    # Step 4: a review judging the criterion, then a step back to the strategy.
    review = api.post("/reviews", {"review_date": today, "what_was_done": "Two training sessions",
                                   "judgements": [{"criterion_id": criterion["id"], "verdict": "not_met",
                                                   "evidence": "Referrals flat"}]}, 201)
    assert review["judgements"] == [{"criterion_id": criterion["id"], "verdict": "not_met",
                                     "evidence": "Referrals flat"}]
    decided = api.post("/decisions", {"kind": "back_strategy", "reason": "Training alone did not move referrals",
                                      "review_id": review["id"]}, 201)
    assert decided["new_iteration"] == 2 and decided["step"] == "match"
    assert decided["decision"]["kind"] == "back_strategy"

    # Iteration 2 keeps the focus but not the choice; the team chooses the other strategy.
    second = api.get("/iterations/2")
    assert second["focus_barrier_ids"] == [barrier["id"]] and second["chosen_option_id"] is None
    second = api.put("/iterations/current/choice", {"option_id": other["id"], "version": second["version"],
                                                    "justification": "Colleagues trust colleagues"})
    assert second["chosen_option_id"] == other["id"]

    first = api.get("/iterations/1")
    assert first["chosen_option_id"] == option["id"]
    assert [r["id"] for r in first["reviews"]] == [review["id"]]
    assert [d["kind"] for d in first["decisions"]] == ["back_strategy"]
    assert [t["status"] for t in first["tasks"]] == ["done"]
    detail = api.get("")
    assert [i["number"] for i in detail["recent_iterations"]] == [1, 2]
    assert detail["current_iteration"]["chosen_option_id"] == other["id"]
    project.refresh_from_db()
    assert project.step == "plan"


def test_goals_barriers_and_options_can_be_edited_and_deleted(as_alice):
    api = as_alice
    goal = api.post("/goals", {"target_group": "Adults", "end_goal": "More referrals"}, 201)
    goal = api.patch(f"/goals/{goal['id']}", {"version": goal["version"], "emphasis": "Rural sites"})
    assert (goal["end_goal"], goal["emphasis"], goal["version"]) == ("More referrals", "Rural sites", 2)
    custom = api.post("/barriers", {"name": "No rooms", "category": "Resources"}, 201)
    custom = api.patch(f"/barriers/{custom['id']}", {"version": custom["version"], "name": "No quiet rooms"})
    assert (custom["name"], custom["custom_category"]) == ("No quiet rooms", "Resources")
    option = api.post("/options", {"barrier_id": custom["id"], "name": "Book rooms", "description": "Ahead"}, 201)
    option = api.patch(f"/options/{option['id']}", {"version": option["version"], "description": "A month ahead"})
    assert option["description"] == "A month ahead"
    api.delete(f"/options/{option['id']}", expect=204)
    api.delete(f"/barriers/{custom['id']}", expect=204)
    api.delete(f"/goals/{goal['id']}", expect=204)
    assert not Goal.objects.exists() and not Barrier.objects.exists() and not StrategyOption.objects.exists()


def test_effort_is_logged_listed_and_deleted_by_its_author_only(bearer, alice, bob, org, project):
    alice_api, bob_api = Api(bearer(alice), org, project), Api(bearer(bob), org, project)
    today = timezone.localdate().isoformat()
    mine = alice_api.post("/effort", {"date": today, "minutes": 45, "activity": "Planning", "step": "plan"}, 201)
    bob_api.post("/effort", {"date": today, "minutes": 15, "activity": "Reading", "step": "goals"}, 201)
    listed = bob_api.get("/effort")
    assert listed["total_minutes"] == 60 and len(listed["entries"]) == 2
    assert {row["label"]: row["minutes"] for row in listed["by_person"]} == {"Alice Lead": 45, "Bob Member": 15}
    bob_api.delete(f"/effort/{mine['id']}", expect=404)
    alice_api.delete(f"/effort/{mine['id']}", expect=204)
    assert EffortEntry.objects.count() == 1
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = alice_api.post("/effort", {"date": tomorrow, "minutes": 5, "activity": "x", "step": "plan"}, 400)
    assert "date" in refused["errors"]


# ---- unhappy paths ---------------------------------------------------------------------------------


def test_a_row_of_another_project_is_a_404(as_alice, org, alice, library):
    other = project_create(organisation=org, user=alice, name="Other", service="Other", team=[alice],
                           determinant_pack=library["determinants"], strategy_pack=library["strategies"])
    theirs = Barrier.objects.create(organisation=org, project=other, custom_name="Elsewhere", custom_category="X")
    as_alice.patch(f"/barriers/{theirs.pk}", {"version": 1, "notes": "mine now"}, 404)
    as_alice.delete(f"/barriers/{theirs.pk}", expect=404)
    as_alice.post("/options", {"barrier_id": theirs.pk, "name": "Borrowed", "description": "From elsewhere"}, 404)
    as_alice.get("/iterations/2", expect=404)
    theirs.refresh_from_db()
    assert theirs.notes == "" and not StrategyOption.objects.exists()


def test_a_bad_rating_is_refused_with_the_field_and_nothing_is_saved(as_alice, project):
    first = Barrier.objects.create(organisation=project.organisation, project=project, custom_name="A",
                                   custom_category="X")
    second = Barrier.objects.create(organisation=project.organisation, project=project, custom_name="B",
                                    custom_category="X")
    refused = as_alice.put("/ratings", {str(first.pk): {"importance": 4, "changeability": 4},
                                        str(second.pk): {"importance": 3}}, 400)
    assert list(refused["errors"]) == [str(second.pk)]
    assert "Changeability is missing" in refused["detail"]
    out_of_range = as_alice.put("/ratings", {str(first.pk): {"importance": 6, "changeability": 1}}, 422)
    assert out_of_range["detail"][0]["loc"][-1] == "importance"
    assert not BarrierRating.objects.exists()


def test_an_appraisal_rating_out_of_range_names_the_criterion(as_alice, project, library):
    barrier = Barrier.objects.create(organisation=project.organisation, project=project, item=library["barrier"])
    option = StrategyOption.objects.create(organisation=project.organisation, project=project, barrier=barrier,
                                           item=library["strategy"])
    refused = as_alice.put(f"/options/{option.pk}/appraisal", {"equity": {"rating": 0}}, 422)
    assert refused["detail"][0]["loc"][-2:] == ["equity", "rating"]


def test_a_stale_patch_is_refused_with_409_and_the_saved_row(bearer, alice, bob, org, project):
    alice_api, bob_api = Api(bearer(alice), org, project), Api(bearer(bob), org, project)
    goal = alice_api.post("/goals", {"target_group": "Adults", "end_goal": "More referrals"}, 201)
    alice_api.patch(f"/goals/{goal['id']}", {"version": goal["version"], "end_goal": "Alice's wording"})
    conflict = bob_api.patch(f"/goals/{goal['id']}", {"version": goal["version"], "end_goal": "Bob's wording"}, 409)
    assert conflict["current"]["end_goal"] == "Alice's wording" and conflict["current"]["version"] == 2
    assert Goal.objects.get().end_goal == "Alice's wording"


def test_a_stale_appraisal_is_refused_with_every_criterion_as_saved(bearer, alice, bob, org, project, library):
    alice_api, bob_api = Api(bearer(alice), org, project), Api(bearer(bob), org, project)
    barrier = Barrier.objects.create(organisation=project.organisation, project=project, item=library["barrier"])
    option = StrategyOption.objects.create(organisation=project.organisation, project=project, barrier=barrier,
                                           item=library["strategy"])
    alice_api.put(f"/options/{option.pk}/appraisal", {"equity": {"rating": 2, "version": 0}})
    conflict = bob_api.put(f"/options/{option.pk}/appraisal", {"equity": {"rating": 5, "version": 0}}, 409)
    assert conflict["current"]["equity"]["rating"] == 2


def test_viewers_and_supporters_may_read_but_not_write(bearer, dave, carol, org, project):
    for person in (dave, carol):
        api = Api(bearer(person), org, project)
        assert api.get("/iterations/1")["number"] == 1
        api.get("/effort")
        refused = api.post("/goals", {"target_group": "Adults", "end_goal": "More"}, 403)
        assert refused == {"detail": "Your role in this organisation does not allow this."}
        api.put("/ratings", {}, 403)
        api.post("/plan-ready", expect=403)
    assert not Goal.objects.exists()


def test_a_decision_that_needs_a_reason_is_refused_without_one(as_alice, project):
    refused = as_alice.post("/decisions", {"kind": "back_goals"}, 400)
    assert "reason" in refused["errors"]
    assert not Decision.objects.exists() and Iteration.objects.filter(project=project).count() == 1


def test_nul_characters_and_unknown_fields_are_refused_before_the_database(as_alice):
    refused = as_alice.post("/goals", {"target_group": "Adults\x00", "end_goal": "More"}, 422)
    assert refused["detail"][0]["loc"][-1] == "target_group"
    as_alice.post("/barriers", {"name": "Fine", "category": "Fine", "notes": "\x00"}, 422)
    as_alice.put("/iterations/current/specification", {"version": 0, "when_how_much": "a\x00b"}, 422)
    as_alice.post("/goals", {"target_group": "Adults", "end_goal": "More", "emphasis_typo": "x"}, 422)
    assert not Goal.objects.exists() and not Barrier.objects.exists()


def test_plan_and_review_rows_are_checked_by_the_services(as_alice, project, mallory):
    # A task owner must be on the team; a criterion date cannot precede the project.
    refused = as_alice.post("/tasks", {"title": "Call IT", "owner": mallory.email}, 400)
    assert "owner" in refused["errors"]
    before = (project.started_on - timedelta(days=1)).isoformat()
    refused = as_alice.post("/criteria", {"description": "Referrals", "target_date": before}, 400)
    assert "target_date" in refused["errors"]
    refused = as_alice.post("/criteria", {"description": "Referrals", "target_value": "1.234"}, 422)
    # A judgement must name a criterion of the current iteration.
    refused = as_alice.post("/reviews", {"review_date": timezone.localdate().isoformat(), "what_was_done": "x",
                                         "judgements": [{"criterion_id": 999999, "verdict": "met"}]}, 400)
    assert "judgements" in refused["errors"]


def test_an_earlier_iteration_can_be_read_but_not_changed(as_alice):
    task = as_alice.post("/tasks", {"title": "Old task"}, 201)
    as_alice.post("/decisions", {"kind": "back_plan", "reason": "Plan again"}, 201)
    refused = as_alice.patch(f"/tasks/{task['id']}", {"version": task["version"], "title": "Changed"}, 400)
    assert "earlier iteration" in refused["detail"]
    assert [t["title"] for t in as_alice.get("/iterations/1")["tasks"]] == ["Old task"]
    # "Back to the plan" carried a copy of the open task into iteration 2.
    assert [t["title"] for t in as_alice.get("/iterations/2")["tasks"]] == ["Old task"]


def test_a_barrier_or_focus_naming_something_else_is_refused_with_the_field(as_alice):
    refused = as_alice.post("/barriers", {"item": {"pack": "test-strategies", "code": "S1"}}, 400)
    assert "item" in refused["errors"]  # a strategy is not on the project's barrier list
    refused = as_alice.post("/barriers", {"item": {"pack": "test-determinants", "code": "nope"}}, 400)
    assert "item" in refused["errors"]
    refused = as_alice.post("/barriers", {"item": {"pack": "test-determinants", "code": "D1"}, "name": "Also"}, 400)
    assert "item" in refused["errors"]
    refused = as_alice.post("/barriers", {"name": "Custom without a category"}, 400)
    assert list(refused["errors"]) == ["category"]
    pack_barrier = as_alice.post("/barriers", {"item": {"pack": "test-determinants", "code": "D1"}}, 201)
    refused = as_alice.patch(f"/barriers/{pack_barrier['id']}", {"version": 1, "name": "Renamed"}, 400)
    assert "name" in refused["errors"]
    refused = as_alice.put("/iterations/current/focus", {"goal_ids": [999999], "barrier_ids": [pack_barrier["id"]],
                                                         "version": 1}, 400)
    assert list(refused["errors"]) == ["goal_ids"]


def test_a_second_first_specification_is_a_stale_edit(as_alice):
    as_alice.put("/iterations/current/specification", {"version": 0, "who_provides": "Team leads"})
    conflict = as_alice.put("/iterations/current/specification", {"version": 0, "who_provides": "Managers"}, 409)
    assert conflict["current"]["who_provides"] == "Team leads" and conflict["current"]["version"] == 1


def test_tasks_and_criteria_follow_the_same_date_rules_as_the_pages(as_alice, project):
    # Issue 10: a task due before the project started was accepted while a criterion was refused.
    before = (project.started_on - timedelta(days=1)).isoformat()
    too_late = (timezone.localdate() + timedelta(days=6 * 366)).isoformat()
    for path, body, field in (("/tasks", {"title": "Call IT"}, "due_date"),
                              ("/criteria", {"description": "Referrals"}, "target_date")):
        for day in (before, too_late):
            refused = as_alice.post(path, {**body, field: day}, 400)
            assert field in refused["errors"] and "Pick a date" in str(refused["errors"][field])
    task = as_alice.post("/tasks", {"title": "Call IT", "due_date": project.started_on.isoformat()}, 201)
    refused = as_alice.patch(f"/tasks/{task['id']}", {"version": task["version"], "due_date": before}, 400)
    assert "due_date" in refused["errors"]
    as_alice.post("/criteria", {"description": "Referrals", "target_date": project.started_on.isoformat()}, 201)
