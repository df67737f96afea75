"""The organisation's consultations across its projects, opened from the main navigation (issue 10)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tailorkit.consultations.models import Consultation
from tailorkit.consultations.tests.factories import TEXT, add_response, make_consultation_asking
from tailorkit.core.models import Membership
from tailorkit.library.models import ContentPack
from tailorkit.projects import stakeholders
from tailorkit.projects.services import goals
from tailorkit.projects.services import projects as project_services
from tailorkit.projects.views import consultations as overview


def url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("projects:consultation_overview", args=[org.slug]) + (f"?{query}" if query else "")


def states(org, alice):
    now = timezone.now()
    upcoming = make_consultation_asking(org, alice, [TEXT], title="Starts next week", opens_at=now + timedelta(days=7))
    running = make_consultation_asking(org, alice, [TEXT], title="Running now", closes_at=now + timedelta(days=5))
    closed = make_consultation_asking(org, alice, [TEXT], title="Finished", opens_at=now - timedelta(days=20),
                                      closes_at=now - timedelta(days=2))
    return upcoming, running, closed


def test_the_main_navigation_leads_to_the_consultations_of_the_current_organisation(client_for, alice, org):
    html = client_for(alice).get(reverse("core:organisation_list")).content.decode()
    nav = html[html.index('<nav aria-label="Main">'):html.index("</nav>")]
    assert f'href="{url(org)}"' in nav and ">Consultations<" in nav
    assert f'href="{reverse("projects:help")}"' in nav


def test_each_row_shows_state_responses_closing_date_project_and_results(client_for, alice, org, project):
    goals.barrier_add_custom(project=project, user=alice, name="No rooms", category="Resources")
    from_step = stakeholders.consultation_from_step(project=project, iteration=project.current_iteration,
                                                    template="barrier_prioritisation", user=alice)
    upcoming, running, closed = states(org, alice)
    for _n in range(3):
        add_response(running, {"help": "More time"})
    html = client_for(alice).get(url(org)).content.decode()
    row = html[html.index("Running now"):html.index("</tr>", html.index("Running now"))]
    assert "<td>Open</td>" in row and "<td>3</td>" in row
    assert running.closes_at.strftime("%Y") in row and "<time" in row
    assert reverse("consultations:consultation_results", args=[org.slug, running.uuid]) in row
    assert "Not tied to a project" in row
    row = html[html.index(from_step.title[:20]):]
    row = row[:row.index("</tr>")]
    assert reverse("projects:project_home", args=[org.slug, project.pk]) in row and "Barrier prioritisation" in row
    assert "Not open yet" in html and "<td>Closed</td>" in html


@pytest.mark.parametrize("state, shown, hidden", [
    ("upcoming", "Starts next week", "Running now"),
    ("open", "Running now", "Finished"),
    ("closed", "Finished", "Starts next week"),
])
def test_the_list_filters_by_state(client_for, alice, org, state, shown, hidden):
    states(org, alice)
    html = client_for(alice).get(url(org, state=state)).content.decode()
    assert shown in html and hidden not in html
    assert 'aria-current="page">' + {"upcoming": "Not open yet", "open": "Open", "closed": "Closed"}[state] in html


def test_a_consultation_closed_by_hand_counts_as_closed(client_for, alice, org):
    c = make_consultation_asking(org, alice, [TEXT], title="Stopped early")
    Consultation.objects.filter(pk=c.pk).update(closed_at=timezone.now() - timedelta(minutes=1))
    client = client_for(alice)
    assert "Stopped early" in client.get(url(org, state="closed")).content.decode()
    assert "Stopped early" not in client.get(url(org, state="open")).content.decode()


def test_the_list_is_paginated_and_keeps_the_filter(client_for, alice, org, monkeypatch):
    monkeypatch.setattr(overview, "PER_PAGE", 2)
    for i in range(3):
        make_consultation_asking(org, alice, [TEXT], title=f"Survey {i}")
    client = client_for(alice)
    first = client.get(url(org, state="open")).content.decode()
    assert "Survey 2" in first and "Survey 0" not in first
    assert 'href="?state=open&amp;page=2"' in first
    second = client.get(url(org, state="open", page=2)).content.decode()
    assert "Survey 0" in second and "Page 2 of 2" in second
    assert client.get(url(org, state="nonsense", page="9" * 30)).status_code == 200


@pytest.mark.parametrize("n", [2, 8])
def test_the_list_reads_a_fixed_number_of_queries(client_for, alice, org, project, django_assert_max_num_queries, n):
    goals.barrier_add_custom(project=project, user=alice, name="No rooms", category="Resources")
    for i in range(n):
        c = make_consultation_asking(org, alice, [TEXT], title=f"Survey {i}")
        Consultation.objects.filter(pk=c.pk).update(subject_type=stakeholders.SUBJECT_TYPE, subject_id=project.pk)
    client = client_for(alice)
    client.get(url(org))
    with django_assert_max_num_queries(8):
        assert client.get(url(org)).status_code == 200


def test_a_consultation_pointing_at_another_organisations_project_shows_no_project(
        client_for, alice, org, mallory, packs):
    theirs = project_services.project_create(
        organisation=Membership.objects.get(user=mallory).organisation, user=mallory, name="Secret project",
        service="iCBT", determinant_pack=ContentPack.objects.get(slug="icbt-determinants"),
        strategy_pack=ContentPack.objects.get(slug="eric"))
    c = make_consultation_asking(org, alice, [TEXT], title="Odd subject")
    Consultation.objects.filter(pk=c.pk).update(subject_type=stakeholders.SUBJECT_TYPE, subject_id=theirs.pk)
    html = client_for(alice).get(url(org)).content.decode()
    assert "Secret project" not in html and "Not tied to a project" in html


def test_an_empty_list_explains_how_to_start(client_for, dave, org):
    html = client_for(dave).get(url(org)).content.decode()
    assert "Ask stakeholders" in html and "New consultation" not in html  # a viewer cannot start one


def test_there_is_one_list_of_consultations_and_the_engine_page_lists_questionnaires(client_for, alice, org):
    upcoming, running, closed = states(org, alice)
    client = client_for(alice)
    old = client.get(reverse("consultations:consultation_list", args=[org.slug]))
    assert old.status_code == 302 and old["Location"] == url(org)
    page = client.get(reverse("consultations:questionnaire_list", args=[org.slug])).content.decode()
    assert "<h1>Questionnaires</h1>" in page
    assert upcoming.questionnaire.title in page and "1 consultation" in page
    assert "Running now" not in page  # consultations are listed once, on the overview
    assert f'href="{url(org)}"' in page
    overview = client.get(url(org)).content.decode()
    assert f'href="{reverse("consultations:questionnaire_list", args=[org.slug])}"' in overview
