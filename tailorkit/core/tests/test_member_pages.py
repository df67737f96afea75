"""The organisation's pages at scale (issue 11): the same queries for 2 or 12 people, the team and
its invitations in pages, and no session write when nothing changed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tailorkit.core import services, views
from tailorkit.core.models import Membership, Role, User


def _grow(org, lead, n):
    """``org`` with ``n`` members and ``n`` pending invitations."""
    for i in range(Membership.objects.filter(organisation=org).count(), n):
        user = User.objects.create_user(email=f"person{i}@example.org", password=None, name=f"Person {i:02}")
        Membership.objects.create(organisation=org, user=user, role=Role.MEMBER)
    for i in range(org.invitations.count(), n):
        services.invitation_create(organisation=org, email=f"invited{i}@example.org", role="member", invited_by=lead)


def _counted_get(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("name", ["core:member_list", "core:organisation_detail"])
def test_the_team_pages_cost_the_same_for_2_or_12_people(client_for, alice, org, name):
    client = client_for(alice)
    url = reverse(name, args=[org.slug])
    counts = {}
    for n in (2, 12):
        _grow(org, alice, n)
        _response, queries = _counted_get(client, url)
        counts[n] = len(queries)
    assert counts[2] == counts[12], counts


def test_opening_an_organisation_again_does_not_write_the_session(client_for, alice, org):
    client = client_for(alice)
    url = reverse("core:organisation_detail", args=[org.slug])
    _response, queries = _counted_get(client, url)
    writes = [q for q in queries if q.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert writes == []
    assert client.session["current_organisation"] == org.pk


def test_opening_another_organisation_still_makes_it_the_current_one(client_for, alice, org):
    other = services.organisation_create(user=alice, name="Southside", country="Netherlands")
    client = client_for(alice)
    client.get(reverse("core:organisation_detail", args=[org.slug]))
    assert client.session["current_organisation"] == org.pk
    client.get(reverse("core:organisation_detail", args=[other.slug]))
    assert client.session["current_organisation"] == other.pk
    assert client.get(reverse("core:organisation_list")).context["current_organisation"] == other


def test_the_team_and_the_invitations_are_listed_in_pages(client_for, alice, org, monkeypatch):
    monkeypatch.setattr(views, "MEMBERS_PER_PAGE", 5)
    _grow(org, alice, 12)  # 12 people, 12 invitations: 3 pages of each
    client = client_for(alice)
    url = reverse("core:member_list", args=[org.slug])

    first = client.get(url)
    assert len(first.context["members"]) == 5 and len(first.context["invitations"]) == 5
    html = first.content.decode()
    assert "12 people" in html
    assert 'aria-label="Pages of the team"' in html and 'aria-label="Pages of the pending invitations"' in html
    assert 'href="?invitations_page=1&amp;page=2"' in html  # the team's next page keeps the invitations' page
    assert 'href="?page=1&amp;invitations_page=2"' in html

    last = client.get(url, {"page": 3, "invitations_page": 2})
    assert last.context["members"].number == 3 and len(last.context["members"]) == 2
    assert last.context["invitations"].number == 2
    seen = set()
    for page in (1, 2, 3):
        seen |= {m.pk for m in client.get(url, {"page": page}).context["members"]}
    assert seen == set(Membership.objects.filter(organisation=org).values_list("pk", flat=True))


def test_a_member_who_does_not_manage_sees_no_invitations(client_for, alice, bob, org):
    _grow(org, alice, 3)
    response = client_for(bob).get(reverse("core:member_list", args=[org.slug]))
    assert response.context["invitations"] is None
    assert "invited0@example.org" not in response.content.decode()


def test_the_organisation_page_lists_the_first_people_and_links_to_everyone(client_for, alice, org):
    client = client_for(alice)
    url = reverse("core:organisation_detail", args=[org.slug])
    team_link = reverse("core:member_list", args=[org.slug])
    _grow(org, alice, views.MEMBERS_ON_DETAIL)
    response = client.get(url)
    assert len(response.context["members"]) == views.MEMBERS_ON_DETAIL
    assert "Everyone in the team" not in response.content.decode()
    _grow(org, alice, views.MEMBERS_ON_DETAIL + 3)
    response = client.get(url)
    assert len(response.context["members"]) == views.MEMBERS_ON_DETAIL
    assert f'<a href="{team_link}">Everyone in the team</a>' in response.content.decode()
