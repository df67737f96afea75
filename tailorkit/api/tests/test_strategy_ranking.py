"""The combined ranking of strategies through the API (issue 12, point 1): the same figures as the step
page, a "what if" set of barriers, and refusals."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from tailorkit.core.models import Organisation
from tailorkit.projects.tests.test_matching import make_project
from tailorkit.projects.tests.test_matching_combined import ALLEN_BARRIERS, focus_many


@pytest.fixture
def cfir_project(db, org, alice):
    call_command("load_packs", verbosity=0)
    return make_project(org, alice)


def api(project):
    return reverse("api:strategy_ranking", args=[project.organisation.slug, project.pk])


def test_the_api_gives_the_same_ranking_as_the_page(bearer, alice, cfir_project):
    barriers = focus_many(cfir_project, alice, ALLEN_BARRIERS)
    client = bearer(alice)
    body = client.get(api(cfir_project)).json()
    assert body["what_if"] is False
    assert [s["strategy"]["name"] for s in body["strategies"][:2]] == ["Promote adaptability", "Tailor strategies"]
    top = body["strategies"][0]
    assert top["rank"] == 1 and top["direct_total"] == 183 and top["indirect_total"] == 0
    assert {s["barrier_id"]: s["percent"] for s in top["shares"]}[barriers[0].pk] == 73
    assert top["shares"][0]["source"] == "Allen 2023, Table 3"
    one = client.get(api(cfir_project), {"barrier": [barriers[2].pk]}).json()
    assert one["what_if"] is True and [b["id"] for b in one["barriers"]] == [barriers[2].pk]


def test_the_api_refuses_foreign_and_too_many_barriers(bearer, alice, cfir_project, mallory):
    focus_many(cfir_project, alice, ["Adaptability"])
    theirs = make_project(Organisation.objects.get(memberships__user=mallory), mallory, name="Theirs")
    foreign = focus_many(theirs, mallory, ["Complexity"])[0]
    client = bearer(alice)
    assert client.get(api(cfir_project), {"barrier": [foreign.pk]}).status_code == 404
    too_many = client.get(api(cfir_project), {"barrier": list(range(1, 25))})
    assert too_many.status_code == 400 and "at most 20" in too_many.content.decode()
    assert bearer(mallory).get(api(cfir_project)).status_code == 404


def test_the_api_refuses_ids_no_database_could_hold(bearer, alice, cfir_project):
    focus_many(cfir_project, alice, ["Adaptability"])
    response = bearer(alice).get(api(cfir_project), {"barrier": ["99999999999999999999999"]})
    assert response.status_code in (400, 422) and "barrier" in response.content.decode()
