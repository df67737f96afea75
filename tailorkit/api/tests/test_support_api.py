"""The support log through the API (issue 14, point 7): log, list, change and delete contacts, tick
next steps off; the pages' rules (author only, no future dates, overlaps refused, stale edits 409)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tailorkit.core.models import Membership, Role
from tailorkit.support.models import FollowUp, SupportContact
from tailorkit.support.tests.factories import tiny_guide

pytestmark = pytest.mark.django_db


def base(org):
    return f"/api/organisations/{org.slug}/support/contacts"


def body(**extra):
    return {"contact_on": "2026-03-02", "minutes": 45, "channel": "video", "kind": "co_creation",
            "summary": "Chose a strategy with the team.", **extra}


def test_it_logs_lists_changes_and_deletes_a_contact(bearer, alice, org):
    guide = tiny_guide()
    client = bearer(alice)
    made = client.post(base(org), body(competencies=[{"pack": "isp-practice-guide", "code": "brokering"}],
                                       follow_ups=[{"what": "Send the notes", "due_on": "2026-03-09"}]),
                       content_type="application/json")
    assert made.status_code == 201, made.content
    contact = made.json()
    assert contact["supporter"]["email"] == alice.email and contact["minutes"] == 45
    assert [c["code"] for c in contact["competencies"]] == ["brokering"]
    assert [(f["what"], f["due_on"], f["done"]) for f in contact["follow_ups"]] == [
        ("Send the notes", "2026-03-09", False)]
    listed = client.get(base(org)).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == contact["id"]

    url = f"{base(org)}/{contact['id']}"
    changed = client.put(url, body(minutes=50, version=contact["version"]), content_type="application/json")
    assert changed.status_code == 200 and changed.json()["minutes"] == 50
    stale = client.put(url, body(minutes=55, version=contact["version"]), content_type="application/json")
    assert stale.status_code == 409
    assert SupportContact.objects.get().minutes == 50

    step = contact["follow_ups"][0]["id"]
    ticked = client.post(f"/api/organisations/{org.slug}/support/follow-ups/{step}/done", {"done": True},
                         content_type="application/json")
    assert ticked.status_code == 200 and ticked.json()["done"] is True
    assert client.delete(url).status_code == 204
    assert not SupportContact.objects.exists() and not FollowUp.objects.exists()
    assert guide["competencies"][1].code == "brokering"


@pytest.mark.parametrize(("change", "field"), [
    ({"contact_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "contact_on"),
    ({"minutes": -30}, "minutes"),
    ({"competencies": [{"pack": "isp-practice-guide", "code": "no-such"}]}, "competencies"),
    ({"follow_ups": [{"what": "Too early", "due_on": "2026-03-01"}]}, "follow_ups"),
])
def test_bad_values_are_refused_by_field_and_nothing_is_stored(bearer, alice, org, change, field):
    tiny_guide()
    answer = bearer(alice).post(base(org), body(**change), content_type="application/json")
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["errors"]
    assert not SupportContact.objects.exists()


def test_only_the_author_changes_a_contact_and_a_viewer_logs_nothing(bearer, alice, bob, carol, org):
    tiny_guide()
    made = bearer(alice).post(base(org), body(), content_type="application/json").json()
    url = f"{base(org)}/{made['id']}"
    assert bearer(bob).get(url).status_code == 200
    assert bearer(bob).put(url, body(version=made["version"]), content_type="application/json").status_code == 403
    assert bearer(bob).delete(url).status_code == 403
    Membership.objects.filter(organisation=org, user=carol).update(role=Role.VIEWER)
    assert bearer(carol).post(base(org), body(contact_on="2026-03-03"),
                              content_type="application/json").status_code == 403


def test_an_outsider_gets_404(bearer, alice, mallory, org):
    tiny_guide()
    made = bearer(alice).post(base(org), body(), content_type="application/json").json()
    assert bearer(mallory).get(f"{base(org)}/{made['id']}").status_code == 404
    assert bearer(mallory).get(base(org)).status_code == 404
    assert date.fromisoformat(made["contact_on"]) == date(2026, 3, 2)
