import pytest
from django.urls import reverse

from tailorkit.projects.models import APEASE, Appraisal
from tailorkit.projects.selectors.matching import appraisal_table
from tailorkit.projects.services import matching

from .test_matching import focus_on


def url(name, project, *args):
    return reverse(name, args=[project.organisation.slug, project.pk, *args])


@pytest.fixture
def option(project, alice):
    barrier = focus_on(project, alice, custom="No rooms")
    return matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Book rooms", description="d")


def form(ratings=None, notes=None, versions=None):
    data = {}
    for c in APEASE:
        data[f"rating-{c}"] = (ratings or {}).get(c, "")
        data[f"note-{c}"] = (notes or {}).get(c, "")
        data[f"version-{c}"] = (versions or {}).get(c, 0)
    return data


def test_the_form_shows_the_six_criteria_from_the_apease_pack(client_for, alice, project, option):
    html = client_for(alice).get(url("projects:project_option_appraise", project, option.pk)).content.decode()
    for name in ("Acceptability", "Practicability", "Effectiveness", "Affordability", "Side-effects", "Equity"):
        assert name in html
    assert "Can we pay for this within our budget" in html


def test_an_appraisal_is_saved_in_one_post_and_shown_in_the_heat_table(client_for, alice, project, option):
    client = client_for(alice)
    response = client.post(url("projects:project_option_appraise", project, option.pk), form(
        {"acceptability": "5", "affordability": "1"}, {"affordability": "Rooms cost money"}))
    assert response.status_code == 302
    assert {a.criterion: a.rating for a in Appraisal.objects.all()} == {"acceptability": 5, "affordability": 1}
    html = client.get(url("projects:project_step_match", project)).content.decode()
    heat = html[html.index('class="heat"'):]
    assert '<td class="heat-5">5' in heat and '<td class="heat-1" title="Rooms cost money">1' in heat
    assert '<td class="heat-none">–' in heat and "3.0" in heat and "(2/6)" in heat


@pytest.mark.parametrize("bad", ["0", "6", "abc"])
def test_a_bad_rating_is_reported_at_its_criterion_and_nothing_is_saved(client_for, alice, project, option, bad):
    response = client_for(alice).post(url("projects:project_option_appraise", project, option.pk), form(
        {"acceptability": "4", "equity": bad}))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="rating-equity-error"' in html and 'id="rating-acceptability-error"' not in html
    assert not Appraisal.objects.exists()
    assert '<option value="4" selected>4</option>' in html


def test_an_over_long_note_is_refused(client_for, alice, project, option):
    response = client_for(alice).post(url("projects:project_option_appraise", project, option.pk), form(
        notes={"equity": "x" * 2001}))
    assert response.status_code == 400 and 'id="note-equity-error"' in response.content.decode()


def test_a_stale_appraisal_is_refused_with_both_versions(client_for, alice, bob, project, option):
    appraise = url("projects:project_option_appraise", project, option.pk)
    client_for(bob).post(appraise, form({"equity": "2"}, {"equity": "Bob thinks"}))
    # Alice's form was built before Bob saved: version 0 for every criterion.
    response = client_for(alice).post(appraise, form({"equity": "5", "acceptability": "4"}))
    html = response.content.decode()
    assert "Someone else saved this" in html and "2 – Bob thinks" in html
    assert Appraisal.objects.get(criterion="equity").rating == 2
    assert not Appraisal.objects.filter(criterion="acceptability").exists()
    assert 'name="version-equity" value="1"' in html
    # Saving again on purpose applies Alice's version.
    client_for(alice).post(appraise, form({"equity": "5"}, versions={"equity": 1}))
    assert Appraisal.objects.get(criterion="equity").rating == 5


def test_appraisal_table_shows_stakeholder_means_when_given(alice, project, option):
    matching.appraisal_save(project=project, user=alice, option=option, values={"equity": ("4", "")}, versions={})
    rows = appraisal_table(project, project.current_iteration, {option.pk: {"equity": 3.5}})
    equity = next(c for c in rows[0].cells if c.criterion == "equity")
    assert (equity.rating, equity.stakeholder_mean, equity.css) == (4, 3.5, "heat-4")
    assert rows[0].mean == 4


def test_an_option_of_another_project_cannot_be_appraised(client_for, alice, org, project, option):
    from .test_matching import make_project

    other = make_project(org, alice, name="Other", determinants="icbt-determinants")
    assert client_for(alice).get(url("projects:project_option_appraise", other, option.pk)).status_code == 404
