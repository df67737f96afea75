"""Each API route answers its happy path with the documented shape."""

import pytest

from tailorkit.core.models import Membership

pytestmark = pytest.mark.django_db


def test_it_lists_the_callers_organisations_with_their_role(bearer, org, bob, mallory):
    body = bearer(bob).get("/api/organisations").json()
    assert body == [{
        "slug": org.slug, "name": org.name, "country": org.country, "language": org.language,
        "sector": org.sector, "created_at": body[0]["created_at"], "role": "member",
    }]


def test_it_shows_one_organisation(bearer, org, alice):
    response = bearer(alice).get(f"/api/organisations/{org.slug}")
    assert response.status_code == 200
    assert response.json()["name"] == "Northside Mental Health"
    assert response.json()["role"] == "lead"


def test_it_answers_404_for_an_organisation_that_does_not_exist(bearer, alice, mallory):
    missing = bearer(alice).get("/api/organisations/no-such-org")
    someone_elses = bearer(alice).get("/api/organisations/" + Membership.objects.get(user=mallory).organisation.slug)
    assert missing.status_code == someone_elses.status_code == 404
    assert missing.json() == someone_elses.json()


def test_it_lists_the_members_with_their_roles(bearer, org, alice, bob, carol):
    body = bearer(carol).get(f"/api/organisations/{org.slug}/memberships").json()
    roles = {m["user"]["email"]: (m["role"], m["role_label"]) for m in body}
    assert roles == {
        "alice@example.org": ("lead", "Implementation lead"),
        "bob@example.org": ("member", "Core team member"),
        "carol@example.org": ("supporter", "Implementation support practitioner"),
    }


def test_it_shows_one_membership(bearer, org, alice, bob):
    membership = Membership.objects.get(user=bob)
    response = bearer(alice).get(f"/api/organisations/{org.slug}/memberships/{membership.pk}")
    assert response.status_code == 200
    assert response.json()["user"] == {"name": "Bob Member", "email": "bob@example.org"}


def test_it_does_not_reach_a_membership_through_another_organisation(bearer, org, alice, mallory):
    # Mallory's membership id, asked for under alice's organisation.
    theirs = Membership.objects.get(user=mallory)
    assert bearer(alice).get(f"/api/organisations/{org.slug}/memberships/{theirs.pk}").status_code == 404


def test_it_turns_away_malformed_parameters_with_422(bearer, alice, org):
    client = bearer(alice)
    assert client.get(f"/api/organisations/{org.slug}/memberships/not-a-number").status_code == 422
    # An organisation the caller is not in is refused before any parameter is read.
    assert client.get("/api/organisations/x/memberships/not-a-number").status_code == 404
    assert client.get("/api/library/links?limit=0").status_code == 422
    assert client.get("/api/library/links?offset=99999999999999999999").status_code == 422
    assert client.get("/api/library/links?from_pack=%00").status_code == 422


def test_it_lists_content_packs(bearer, alice, library):
    body = bearer(alice).get("/api/library/packs").json()
    assert [p["slug"] for p in body] == ["test-determinants", "test-strategies"]


def test_it_shows_one_content_pack(bearer, alice, library):
    body = bearer(alice).get("/api/library/packs/test-strategies").json()
    assert body["kind"] == "strategies"
    assert body["licence"] == "CC BY 4.0"
    assert bearer(alice).get("/api/library/packs/nope").status_code == 404


def test_it_lists_the_categories_of_a_pack(bearer, alice, library):
    body = bearer(alice).get("/api/library/packs/test-determinants/categories").json()
    assert body == [{"code": "knowledge", "name": "Knowledge", "description": "", "order": 1, "parent_code": None}]


def test_it_pages_through_the_items_of_a_pack(bearer, alice, library):
    client = bearer(alice)
    first = client.get("/api/library/packs/test-determinants/items?limit=1").json()
    assert first["count"] == 2
    assert [i["code"] for i in first["items"]] == ["D1"]
    second = client.get("/api/library/packs/test-determinants/items?limit=1&offset=1").json()
    assert [i["code"] for i in second["items"]] == ["D2"]


def test_it_searches_items_by_words_and_category(bearer, alice, library):
    client = bearer(alice)
    by_words = client.get("/api/library/packs/test-determinants/items?q=never shown").json()
    assert [i["code"] for i in by_words["items"]] == ["D1"]
    by_category = client.get("/api/library/packs/test-determinants/items?category=knowledge").json()
    assert [i["code"] for i in by_category["items"]] == ["D1"]
    assert by_category["items"][0]["category_code"] == "knowledge"
    nothing = client.get("/api/library/packs/test-determinants/items?q=zebra").json()
    assert nothing == {"items": [], "count": 0, "next": None, "previous": None}


def test_it_shows_one_item(bearer, alice, library):
    body = bearer(alice).get("/api/library/packs/test-strategies/items/S1").json()
    assert body["name"] == "Conduct educational meetings"
    assert body["attributes"] == {"importance": 3.9}
    assert bearer(alice).get("/api/library/packs/test-determinants/items/S1").status_code == 404


def test_it_lists_links_between_packs(bearer, alice, library):
    client = bearer(alice)
    body = client.get("/api/library/links?from_pack=test-determinants&to_pack=test-strategies").json()
    assert body["count"] == 1
    link = body["items"][0]
    assert link["from_item"] == {"pack": "test-determinants", "code": "D1", "name": "Lack of training"}
    assert link["to_item"]["code"] == "S1"
    assert link["weight"] == 0.8
    reversed_ = client.get("/api/library/links?from_pack=test-strategies").json()
    assert reversed_ == {"items": [], "count": 0, "next": None, "previous": None}


@pytest.mark.parametrize("membership_id", ["-1", "0", "99999999999999999999"])
def test_it_answers_404_for_a_membership_id_out_of_range(bearer, org, alice, membership_id):
    response = bearer(alice).get(f"/api/organisations/{org.slug}/memberships/{membership_id}")
    assert response.status_code == 404
