"""The help pages (issue 10): the cycle, each step, consultations and anonymity, linked from the
pages where the questions come up."""

import pytest
from django.urls import reverse

from tailorkit.projects import steps
from tailorkit.projects.models import Step

TOPICS = [s.code for s in steps.STEPS] + ["consultations", "anonymity"]


@pytest.mark.parametrize("topic", TOPICS)
def test_every_help_page_is_open_to_anyone_and_lists_every_topic(client, db, topic):
    response = client.get(reverse("projects:help_topic", args=[topic]))
    assert response.status_code == 200
    html = response.content.decode()
    contents = html[html.index('aria-label="Help topics"'):]
    for other in TOPICS:
        assert reverse("projects:help_topic", args=[other]) in contents
    assert f'href="{reverse("projects:help_topic", args=[topic])}" aria-current="page"' in contents


def test_an_unknown_topic_is_not_found(client, db):
    assert client.get(reverse("projects:help_topic", args=["nothing-here"])).status_code == 404


def test_the_start_page_explains_the_cycle_the_step_labels_and_the_first_hour(client, db):
    html = client.get(reverse("projects:help")).content.decode()
    for info in steps.CYCLE:
        assert str(info.summary) in html
    assert "Reading a step label" in html and "“3 · Design and plan”" in html
    assert "Your first hour" in html and "Finch et al." in html


@pytest.mark.parametrize("step", [Step.GOALS, Step.MATCH, Step.PLAN, Step.REVIEW])
def test_a_step_page_repeats_the_registry_and_names_its_sources(client, packs, step):
    info = steps.get(step)
    html = client.get(reverse("projects:help_topic", args=[step])).content.decode()
    assert f"<h1>{info.label}</h1>" in html
    assert f"Step {info.number} of 4" in html
    assert str(info.summary) in html and all(str(a) in html for a in info.actions)
    assert "Where it comes from" in html and "Principles that matter here" in html
    assert "Ask stakeholders" in html


def test_the_step_pages_lead_from_one_step_to_the_next(client, db):
    html = client.get(reverse("projects:help_topic", args=[Step.PLAN])).content.decode()
    assert f'href="{reverse("projects:help_topic", args=[Step.MATCH])}" rel="prev"' in html
    assert f'href="{reverse("projects:help_topic", args=[Step.REVIEW])}" rel="next"' in html


def test_the_anonymity_page_gives_the_minimum_group_size_in_force(client, db):
    html = client.get(reverse("projects:help_topic", args=["anonymity"])).content.decode()
    assert "Every consultation has a minimum group size, 5 unless the team changes it." in html
    assert "withheld" in html and "Hundepool" in html


def test_the_consultations_page_gives_the_retention_period_in_force(client, db, settings):
    settings.TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS = 45
    html = client.get(reverse("projects:help_topic", args=["consultations"])).content.decode()
    assert "Email addresses are deleted 45 days after the consultation closes" in html


def test_the_main_navigation_has_help_for_visitors_and_members(client, client_for, alice, org):
    assert reverse("projects:help") in client.get(reverse("library:library_home")).content.decode()
    assert reverse("projects:help") in client_for(alice).get(reverse("core:organisation_list")).content.decode()


@pytest.mark.parametrize("step", [Step.GOALS, Step.MATCH, Step.PLAN, Step.REVIEW])
def test_each_step_page_asks_what_is_this_step(client_for, alice, org, project, step):
    html = client_for(alice).get(reverse(steps.get(step).url_name, args=[org.slug, project.pk])).content.decode()
    assert f'<a href="{reverse("projects:help_topic", args=[step])}">What is this step?</a>' in html


def test_the_project_overview_links_to_how_the_cycle_works(client_for, alice, org, project):
    html = client_for(alice).get(reverse("projects:project_home", args=[org.slug, project.pk])).content.decode()
    assert f'<a href="{reverse("projects:help")}">How the cycle works</a>' in html


def test_the_organisation_page_explains_its_step_labels_and_lists_consultations(client_for, alice, org, project):
    html = client_for(alice).get(reverse("core:organisation_detail", args=[org.slug])).content.decode()
    assert "the step of the tailoring cycle it has reached" in html
    help_url = reverse("projects:help_topic", args=[project.step])
    assert f'<a href="{help_url}">1 · Identify goals and barriers</a>' in html
    assert reverse("projects:consultation_overview", args=[org.slug]) in html
