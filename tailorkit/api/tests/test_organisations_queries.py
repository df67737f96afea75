"""``GET /api/organisations`` reads the caller's role in each organisation in the same query as the
organisations (issue 11: 1,003 queries for a user in 1,000 organisations)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tailorkit.core import services
from tailorkit.core.models import Membership, Role

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # the token's "last used" is written at most once a minute: not on the counted call
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response.json(), len(ctx.captured_queries)


def test_the_list_of_organisations_costs_the_same_for_2_or_12(alice, mallory, bearer):
    client = bearer(alice)
    counts = {}
    for n in (2, 12):
        while Membership.objects.filter(user=alice).count() < n:
            # Every other one as a viewer, so the roles really differ per organisation.
            org = services.organisation_create(user=mallory, name=f"Clinic {n}-{Membership.objects.count()}",
                                               country="Netherlands")
            role = Role.VIEWER if Membership.objects.filter(user=alice).count() % 2 else Role.LEAD
            Membership.objects.create(organisation=org, user=alice, role=role)
        body, counts[n] = _queries(client, "/api/organisations")
        assert len(body) == n
        expected = dict(Membership.objects.filter(user=alice).values_list("organisation__slug", "role"))
        assert {row["slug"]: row["role"] for row in body} == expected
    assert counts[2] == counts[12], counts


def test_the_members_of_an_organisation_cost_the_same_for_2_or_12(alice, org, bearer):
    client = bearer(alice)
    counts = {}
    for n in (2, 12):
        for i in range(Membership.objects.filter(organisation=org).count(), n):
            user = type(alice).objects.create_user(email=f"person{i}@example.org", password=None)
            Membership.objects.create(organisation=org, user=user, role=Role.MEMBER)
        body, counts[n] = _queries(client, f"/api/organisations/{org.slug}/memberships")
        assert len(body) == n and all(row["user"]["email"] for row in body)
    assert counts[2] == counts[12], counts
