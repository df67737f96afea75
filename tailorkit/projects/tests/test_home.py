"""The personal home page, "what needs me now" (issue 10), and the list of a person's open tasks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tailorkit.conftest import make_user
from tailorkit.consultations.tests.factories import TEXT, add_response, make_consultation_asking
from tailorkit.core import services as core_services
from tailorkit.core.models import Membership
from tailorkit.library.models import ContentPack
from tailorkit.projects.models import Decision, Project, Task
from tailorkit.projects.services import planning
from tailorkit.projects.services import projects as project_services
from tailorkit.projects.services import review as review_services
from tailorkit.projects.views import personal

HOME = "/"


def days(n):
    return timezone.localdate() + timedelta(days=n)


def new_project(org, user, name, team=()):
    return project_services.project_create(
        organisation=org, user=user, name=name, service="Online CBT",
        determinant_pack=ContentPack.objects.get(slug="icbt-determinants"),
        strategy_pack=ContentPack.objects.get(slug="eric"), team=list(team), started_on=days(-60))


def task(project, user, title, due, owner=None, status=Task.Status.TODO):
    return planning.task_create(iteration=project.current_iteration, user=user, title=title,
                                owner=owner or user, due_date=due, status=status)


def page(client, url=HOME, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# --- Who lands where -------------------------------------------------------------------------------

def test_a_visitor_gets_the_welcome_page(client, db):
    assert "Browse the library" in page(client)


def test_someone_without_an_organisation_is_told_how_to_get_one_and_sees_invitations_to_them(
        client_for, alice, mallory):
    newcomer = make_user("nina@example.org", "Nina New")
    elsewhere = Membership.objects.get(user=mallory).organisation
    core_services.invitation_create(organisation=elsewhere, email="Nina@Example.org", role="member",
                                    invited_by=mallory)
    html = page(client_for(newcomer))
    assert "You are not in an organisation yet" in html
    assert "Elsewhere Clinic invited you on" in html and "open the link in the email" in html


def test_signing_in_lands_on_the_home_page_and_the_organisation_page_stays_one_click_away(
        client, alice, org, password):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": password})
    assert response["Location"] == HOME
    html = page(client)
    assert "What needs you now" in html
    assert f'href="{reverse("core:organisation_detail", args=[org.slug])}"' in html


# --- A newcomer ------------------------------------------------------------------------------------

def test_a_lead_with_no_project_learns_the_cycle_and_gets_one_button_to_start(client_for, alice, org, packs):
    html = page(client_for(alice))
    assert "through a cycle of four steps" in html
    assert html.count('role="button"') == 1
    assert f'href="{reverse("projects:project_create", args=[org.slug])}" role="button">Start a project' in html
    assert "Your tasks" not in html  # no empty sections for a newcomer


def test_a_viewer_is_told_who_can_start_a_project_and_where_the_organisations_projects_are(
        client_for, alice, dave, org, packs):
    new_project(org, alice, "Online CBT in primary care")
    html = page(client_for(dave))
    assert "Start a project" not in html
    assert "Ask your implementation lead" in html
    assert "1 project in your organisation: you are not on its team" in html


# --- What needs me now -----------------------------------------------------------------------------

def test_my_tasks_are_the_overdue_and_the_next_two_weeks_overdue_first(client_for, alice, bob, org, packs):
    project = new_project(org, alice, "Referrals", team=[bob])
    task(project, alice, "Later this month", days(20))
    task(project, alice, "Due in a week", days(7))
    task(project, alice, "Overdue since Monday", days(-3))
    task(project, alice, "Already done", days(1), status=Task.Status.DONE)
    task(project, alice, "Bob's job", days(1), owner=bob)
    archived = new_project(org, alice, "Archived one")
    task(archived, alice, "In an archived project", days(1))
    project_services.project_archive(project=archived, user=alice)
    html = page(client_for(alice))
    assert html.index("Overdue since Monday") < html.index("Due in a week")
    assert "overdue</strong>" in html
    for absent in ("Later this month", "Already done", "Bob&#x27;s job", "In an archived project"):
        assert absent not in html
    plan = reverse("projects:project_step_plan", args=[org.slug, project.pk])
    assert f'href="{plan}#task-' in html


def test_a_task_carried_into_a_new_iteration_is_listed_once(client_for, alice, org, packs):
    project = new_project(org, alice, "Going back")
    task(project, alice, "Book the rooms", days(2))
    review_services.decision_record(iteration=project.current_iteration, user=alice, kind=Decision.Kind.BACK_PLAN,
                                    reason="The plan needs another look")
    assert Task.objects.filter(title="Book the rooms").count() == 2  # one per iteration
    assert page(client_for(alice)).count("Book the rooms") == 1


def test_success_criteria_falling_due_and_not_yet_judged_are_listed(client_for, alice, org, packs):
    project = new_project(org, alice, "Criteria")
    iteration = project.current_iteration
    planning.criterion_create(iteration=iteration, user=alice, description="Half of referrals offered iCBT",
                              target_date=days(10))
    planning.criterion_create(iteration=iteration, user=alice, description="Far in the future", target_date=days(200))
    judged = planning.criterion_create(iteration=iteration, user=alice, description="Already judged",
                                       target_date=days(-5))
    review_services.review_create(iteration=iteration, user=alice, review_date=timezone.localdate(),
                                  what_was_done="Counted", judgements=[{"criterion": judged, "verdict": "met"}])
    html = page(client_for(alice))
    assert "Success criteria to judge" in html and "Half of referrals offered iCBT" in html
    assert "Far in the future" not in html and "Already judged" not in html


def test_a_project_quiet_for_a_month_is_flagged(client_for, alice, org, packs):
    quiet = new_project(org, alice, "Quiet project")
    new_project(org, alice, "Busy project")
    Project.objects.filter(pk=quiet.pk).update(last_activity_at=timezone.now() - timedelta(days=40))
    html = page(client_for(alice))
    section = html[html.index("Projects that have gone quiet"):html.index("Your projects")]
    assert "Quiet project" in section and "Busy project" not in section


def test_my_projects_show_their_step_linked_to_its_help_and_the_next_action(client_for, alice, org, packs):
    new_project(org, alice, "Stepwise")
    html = page(client_for(alice))
    assert f'<a href="{reverse("projects:help_topic", args=["goals"])}">1 · Identify goals and barriers</a>' in html
    assert "Write your first goal" in html
    assert "The step says where each project stands in the tailoring cycle" in html


def test_consultations_i_run_show_state_responses_closing_date_and_results_but_no_answers(
        client_for, alice, bob, org, packs):
    mine = make_consultation_asking(org, alice, [TEXT], title="Staff survey", anonymous=True,
                                    groups=["manager", "clinician"], closes_at=timezone.now() + timedelta(days=9))
    for _n in range(2):
        add_response(mine, {"help": "Only the two managers said this"}, group="manager")
    make_consultation_asking(org, bob, [TEXT], title="Bob's survey")
    make_consultation_asking(org, alice, [TEXT], title="Closed long ago", opens_at=timezone.now() - timedelta(days=90),
                             closes_at=timezone.now() - timedelta(days=60))
    html = page(client_for(alice))
    section = html[html.index("Consultations you run"):]
    assert "Staff survey" in section and "Open" in section
    assert "<td>2</td>" in section  # responses so far: the total only
    assert reverse("consultations:consultation_results", args=[org.slug, mine.uuid]) in section
    assert days(9).strftime("%Y") in section
    assert "Bob&#x27;s survey" not in html and "Closed long ago" not in html
    # Nothing about answers or groups: those are for the results page, under the minimum group size.
    assert "Only the two managers" not in html and "Manager" not in html


def test_invitations_waiting_for_an_answer_are_shown_to_the_lead_only(client_for, alice, bob, org):
    core_services.invitation_create(organisation=org, email="new1@example.org", role="member", invited_by=alice)
    stale = core_services.invitation_create(organisation=org, email="new2@example.org", role="member",
                                            invited_by=alice)
    type(stale).objects.filter(pk=stale.pk).update(expires_at=timezone.now() - timedelta(days=1))
    html = page(client_for(alice))
    assert "2 people invited to Northside Mental Health have not joined yet" in html
    assert "1 link has expired" in html
    assert "have not joined yet" not in page(client_for(bob))


# --- Several organisations, and nobody else's ----------------------------------------------------

def test_a_person_in_two_organisations_sees_both_and_each_row_says_where(client_for, alice, org, mallory, packs):
    second = core_services.organisation_create(user=alice, name="Eastside Clinic", country="Belgium")
    task(new_project(org, alice, "North project"), alice, "North task", days(1))
    task(new_project(second, alice, "East project"), alice, "East task", days(2))
    elsewhere = Membership.objects.get(user=mallory).organisation
    task(new_project(elsewhere, mallory, "Mallory's project"), mallory, "Mallory task", days(1))
    html = page(client_for(alice))
    assert "North task" in html and "East task" in html and "Eastside Clinic</small>" in html
    assert "Mallory" not in html


def test_a_member_removed_from_an_organisation_no_longer_sees_its_work(client_for, alice, bob, org, packs):
    project = new_project(org, alice, "Team work", team=[bob])
    task(project, alice, "Bob's old task", days(1), owner=bob)
    second = core_services.organisation_create(user=bob, name="Bob's own clinic", country="Spain")
    assert "Bob&#x27;s old task" in page(client_for(bob))
    Membership.objects.filter(organisation=org, user=bob).delete()
    html = page(client_for(bob))
    assert "Bob&#x27;s old task" not in html and second.name.replace("'", "&#x27;") in html


# --- Bounded ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [3, 12])
def test_the_home_page_reads_a_fixed_number_of_queries_and_caps_each_list(
        client_for, alice, org, packs, django_assert_max_num_queries, n):
    for i in range(n):
        project = new_project(org, alice, f"Project {i}")
        task(project, alice, f"Task {i}", days(1))
        make_consultation_asking(org, alice, [TEXT], title=f"Survey {i}")
    client = client_for(alice)
    client.get(HOME)  # warm the session and the content-pack caches
    with django_assert_max_num_queries(18):
        html = page(client)
    assert html.count("Task ") == min(n, 8)
    if n > 8:
        assert f"Showing 8 of {n}." in html
    assert reverse("projects:my_tasks") in html


def test_all_my_open_tasks_are_paginated_and_include_those_without_a_date(client_for, alice, org, packs,
                                                                          monkeypatch):
    project = new_project(org, alice, "Many tasks")
    task(project, alice, "No date yet", None)
    for i in range(3):
        task(project, alice, f"Dated {i}", days(30 + i))
    client = client_for(alice)
    html = page(client, reverse("projects:my_tasks"))
    assert html.index("Dated 0") < html.index("No date yet")
    monkeypatch.setattr(personal, "TASKS_PER_PAGE", 2)
    second = page(client, reverse("projects:my_tasks"), page="2")
    assert "Dated 2" in second and "No date yet" in second and "Dated 0" not in second
    assert "Page 2 of 2" in second
    assert "Dated 0" in page(client, reverse("projects:my_tasks"), page="x" * 40)  # a bad number shows page 1


def test_the_personal_pages_need_an_account(client, db):
    response = client.get(reverse("projects:my_tasks"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
