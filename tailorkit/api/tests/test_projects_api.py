"""Projects and their step objects through the API: the same services, permissions, refusals
(400), stale edits (409) and 404s for rows of another project as the pages."""

import pytest

from tailorkit.projects.models import Project


@pytest.fixture
def api_project(org, alice, bob, library):
    from tailorkit.projects.services.projects import project_create

    return project_create(organisation=org, user=alice, name="API project", service="iCBT", team=[alice, bob],
                          determinant_pack=library["determinants"], strategy_pack=library["strategies"])


def test_a_member_starts_a_project_through_the_api(bearer, bob, org, library):
    response = bearer(bob).post(f"/api/organisations/{org.slug}/projects", {
        "name": "Scripted", "service": "Online CBT", "determinant_pack": "test-determinants",
        "strategy_pack": "test-strategies", "team": ["alice@example.org"],
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["email"] == "bob@example.org"
    assert sorted(p["email"] for p in body["team"]) == ["alice@example.org", "bob@example.org"]
    assert Project.objects.get(pk=body["id"]).iterations.count() == 1


def test_it_refuses_an_unknown_pack_and_a_stranger_on_the_team(bearer, bob, mallory, org, library):
    response = bearer(bob).post(f"/api/organisations/{org.slug}/projects", {
        "name": "X", "service": "Y", "determinant_pack": "nope", "strategy_pack": "test-strategies",
    }, content_type="application/json")
    assert response.status_code == 400 and "determinant_pack" in response.json()["errors"]
    response = bearer(bob).post(f"/api/organisations/{org.slug}/projects", {
        "name": "X", "service": "Y", "determinant_pack": "test-determinants", "strategy_pack": "test-strategies",
        "team": [mallory.email],
    }, content_type="application/json")
    assert response.status_code == 400 and "team" in response.json()["errors"]
    assert not Project.objects.exists()


def test_a_viewer_may_read_but_not_write(bearer, dave, org, api_project):
    assert bearer(dave).get(f"/api/organisations/{org.slug}/projects/{api_project.pk}").status_code == 200
    response = bearer(dave).post(f"/api/organisations/{org.slug}/projects/{api_project.pk}/archive")
    assert response.status_code == 403


def test_the_detail_holds_every_step_object(bearer, alice, org, api_project):
    body = bearer(alice).get(f"/api/organisations/{org.slug}/projects/{api_project.pk}").json()
    assert body["name"] == "API project"
    assert body["current_iteration"]["number"] == 1
    assert [i["number"] for i in body["recent_iterations"]] == [1]
    assert body["goals"] == [] and body["barriers"] == []


def test_a_stale_patch_is_refused_with_409(bearer, alice, bob, org, api_project):
    url = f"/api/organisations/{org.slug}/projects/{api_project.pk}"
    first = bearer(alice).patch(url, {"version": 1, "name": "First"}, content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = bearer(bob).patch(url, {"version": 1, "name": "Second"}, content_type="application/json")
    assert second.status_code == 409
    assert second.json()["current"]["name"] == "First"
    api_project.refresh_from_db()
    assert api_project.name == "First"


def test_archive_and_restore(bearer, alice, org, api_project):
    client = bearer(alice)
    url = f"/api/organisations/{org.slug}/projects/{api_project.pk}"
    assert client.post(f"{url}/archive").json()["status"] == "archived"
    assert client.get(f"/api/organisations/{org.slug}/projects").json()["items"] == []
    assert client.get(f"/api/organisations/{org.slug}/projects?archived=true").json()["count"] == 1
    assert client.post(f"/api/organisations/{org.slug}/projects/{api_project.pk}/archive").status_code == 400
    assert client.post(f"/api/organisations/{org.slug}/projects/{api_project.pk}/restore").json()["status"] == "active"


def test_a_stop_completes_the_project_the_list_filters_by_status_and_it_can_be_reopened(bearer, alice, dave, org,
                                                                                       api_project):
    client = bearer(alice)
    base = f"/api/organisations/{org.slug}/projects"
    url = f"{base}/{api_project.pk}"
    response = client.post(f"{url}/decisions", {"kind": "success"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "completed"
    assert client.get(url).json()["status"] == "completed"
    assert [p["status"] for p in client.get(base).json()["items"]] == ["completed"]  # not archived, so listed
    assert len(client.get(f"{base}?status=completed").json()["items"]) == 1
    assert client.get(f"{base}?status=active").json()["items"] == []
    assert client.get(f"{base}?status=finished").status_code in (400, 422)
    assert bearer(dave).post(f"{url}/reopen", {}, content_type="application/json").status_code == 403
    stale = client.post(f"{url}/reopen", {"version": 0}, content_type="application/json")
    assert stale.status_code == 409
    reopened = client.post(f"{url}/reopen", {"reason": "New data"}, content_type="application/json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "active"
    assert reopened.json()["step"] == "review"
    again = client.post(f"{url}/reopen", {}, content_type="application/json")
    assert again.status_code == 400
