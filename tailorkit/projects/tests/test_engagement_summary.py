"""The summary's "Stakeholder engagement" section (issue 17), on the page and in the PDF: the groups ×
steps picture in words (never colour alone), the groups not reached yet, and the newest records with
what they changed. Named people are never in it; its queries do not grow with the records."""

import io
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tailorkit.projects.models import Step
from tailorkit.projects.selectors.summary import RECORDS_SHOWN
from tailorkit.projects.services import engagement, goals
from tailorkit.projects.services import summary as summary_services


def _engaged(project, alice):
    """GPs reached in step 1 (the record led to a new goal), patients planned for step 2 and not reached,
    managers on the map only; a named person among the GPs."""
    iteration = project.current_iteration
    gps = engagement.stakeholder_group_create(project=project, user=alice, name="GPs who refer")
    patients = engagement.stakeholder_group_create(project=project, user=alice, name="Patients")
    engagement.stakeholder_group_create(project=project, user=alice, name="Practice managers")
    engagement.stakeholder_person_add(group=gps, user=alice, name="Dr Secret Person", contact="secret@example.org")
    engagement.engagement_plan_add(project=project, iteration=iteration, user=alice, step=Step.MATCH,
                                   group=patients, objective="learn", approach="workshop")
    goal = goals.goal_create(project=project, user=alice, target_group="GPs", end_goal="Refer within a week")
    engagement.engagement_record_add(
        project=project, iteration=iteration, user=alice, step=Step.GOALS, date=timezone.localdate(),
        approach="meeting", groups=[gps], people=12, heard="The form is too long.",
        changed="We wrote a goal about referral times.", changes=[("goal", goal.pk, "added")])
    return gps


def _records(project, alice, group, n):
    for i in range(n):
        engagement.engagement_record_add(
            project=project, iteration=project.current_iteration, user=alice, step=Step.GOALS,
            date=timezone.localdate() - timedelta(days=i + 1), approach="informal", groups=[group],
            heard=f"Check {i}")


def _url(project, name="projects:project_summary"):
    return reverse(name, args=[project.organisation.slug, project.pk])


def test_the_summary_shows_the_groups_by_step_in_words_and_the_records(client_for, project, alice, bob):
    _engaged(project, alice)
    html = client_for(bob).get(_url(project)).content.decode()
    section = html[html.index('id="summary-engagement"'):]
    section = section[:section.index("</section>")]
    rows = {row.split("</th>")[0].rsplit(">", 1)[-1]: row.split("</tr>")[0] for row in section.split("<tr>")[2:]}
    assert "done 1" in rows["GPs who refer"] and "planned" not in rows["GPs who refer"]
    assert "planned" in rows["Patients"] and "done" not in rows["Patients"]
    assert "done" not in rows["Practice managers"] and "planned" not in rows["Practice managers"]
    assert "Not reached yet" in section and "Patients, Practice managers" in section
    assert "1 · Goals and barriers" in section and "4 · " in section   # the four steps as columns
    # The record: date, how, groups, people, what changed.
    assert "Meeting" in section and ">12<" in section and "We wrote a goal about referral times." in section
    assert "Goal “Refer within a week” added" in section
    assert "Dr Secret Person" not in html and "secret@example.org" not in html


def test_a_project_without_engagement_says_so(client_for, project, bob):
    html = client_for(bob).get(_url(project)).content.decode()
    assert "Stakeholder engagement" in html and "No stakeholder groups on the map yet." in html
    assert "No engagement recorded yet." in html
    assert reverse("projects:project_stakeholders", args=[project.organisation.slug, project.pk]) in html


def _queries(client, project):
    client.get(_url(project))   # the charts drawn once, kept in their cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url(project)).status_code == 200
    return len(captured.captured_queries)


def test_the_section_sends_as_many_queries_for_many_records_and_lists_the_newest(client_for, project, alice,
                                                                                 bob):
    group = _engaged(project, alice)
    client = client_for(bob)
    few = _queries(client, project)
    _records(project, alice, group, RECORDS_SHOWN + 5)
    more = engagement.stakeholder_group_create(project=project, user=alice, name="Pharmacists")
    _records(project, alice, more, 3)
    # One more query: the count of the records, read only when there are more than are shown.
    assert _queries(client, project) == few + 1
    html = client.get(_url(project)).content.decode()
    assert f"The latest {RECORDS_SHOWN} of {RECORDS_SHOWN + 9} records." in html
    assert reverse("projects:project_engagement", args=[project.organisation.slug, project.pk]) in html


def test_a_new_record_changes_the_fingerprint_of_the_pdf(project, alice):
    group = _engaged(project, alice)
    _html, before = summary_services.summary_document(project)
    assert summary_services.summary_document(project)[1] == before   # nothing changed: the same PDF
    _records(project, alice, group, 1)
    html, after = summary_services.summary_document(project)
    assert after != before and "Check 0" not in html   # the list says what changed, not what was heard


def test_the_pdf_has_the_engagement_section(client_for, project, alice, bob):
    _engaged(project, alice)
    response = client_for(bob).get(_url(project, "projects:project_summary_pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    start = text.index("Stakeholder engagement")
    section = text[start:]
    assert "GPs who refer" in section and "done 1" in section and "planned" in section
    assert "Not reached yet" in section and "Practice managers" in section
    assert "What was done with them" in section and "Refer within a week" in section
    assert "Dr Secret Person" not in text
