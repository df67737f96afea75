"""The support log (issue 14, point 4): a contact takes one short form; dates in the future,
lengths under a minute and overlapping or duplicate entries get clear messages at the field;
agreed next steps become dated follow-ups; totals and a picture per site and per supporter."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tailorkit.core.models import Membership, Organisation, Role
from tailorkit.projects.services.projects import project_create
from tailorkit.projects.tests.factories import tiny_packs
from tailorkit.support import log, services
from tailorkit.support.models import FollowUp, SupportContact

from .factories import tiny_guide


def make_project(org, user, name="Support project"):
    packs = tiny_packs()
    return project_create(organisation=org, user=user, name=name, service="iCBT", team=[user],
                          determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])


@pytest.fixture
def guide(db):
    return tiny_guide()


def _form(**extra):
    data = {"contact_on": "2026-03-02", "minutes": "45", "channel": "video", "kind": "responsive",
            "summary": "Helped the team rate their barriers.", "people": "team lead, two nurses"}
    return {**data, **extra}


def _contact(org, user, **extra):
    values = {"contact_on": date(2026, 3, 2), "minutes": 30, "channel": "phone", "kind": "training",
              "summary": "Explained the matching step."}
    return services.support_contact_create(organisation=org, supporter=user, **{**values, **extra})


def test_logging_a_contact_with_next_steps(client, org, alice, guide):
    client.force_login(alice)
    url = reverse("support:contact_new", args=[org.slug])
    answer = client.post(url, _form(competencies=[guide["competencies"][1].pk], next_step_1="Send the notes",
                                    due_1="2026-03-09", next_step_2="Book the workshop", due_2="2026-03-20"))
    assert answer.status_code == 302
    contact = SupportContact.objects.get()
    assert (contact.supporter, contact.minutes, contact.kind) == (alice, 45, "responsive")
    assert list(contact.competencies.all()) == [guide["competencies"][1]]
    assert [(f.what, f.due_on) for f in contact.follow_ups.all()] == [
        ("Send the notes", date(2026, 3, 9)), ("Book the workshop", date(2026, 3, 20))]
    detail = client.get(answer["Location"]).content.decode()
    assert "Send the notes" in detail and "Brokering" in detail

    site = client.get(reverse("support:site_support", args=[org.slug])).content.decode()
    assert "Book the workshop" in site and "overdue" in site  # March 2026 is past
    mine = client.get(reverse("support:my_log")).content.decode()
    assert org.name in mine and "Helped the team rate their barriers." in mine


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"contact_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "contact_on",
     "This date is in the future"),
    ({"minutes": "-20"}, "minutes", "Give the length in minutes: 1 or more."),
    ({"minutes": "0"}, "minutes", "Give the length in minutes: 1 or more."),
    ({"minutes": "900"}, "minutes", "Ensure this value is less than or equal to 720."),
    ({"next_step_1": "Send the notes"}, "due_1", "Give the date this step is due."),
    ({"next_step_1": "Send the notes", "due_1": "2026-03-01"}, "due_1", "cannot be due before the contact"),
    ({"due_2": "2026-04-01"}, "next_step_2", "Say what the next step is"),
])
def test_bad_input_is_named_at_its_field_and_nothing_is_stored(client, org, alice, guide, change, field, message):
    client.force_login(alice)
    page = client.post(reverse("support:contact_new", args=[org.slug]), _form(**change))
    html = page.content.decode()
    assert page.status_code == 200 and message in html
    assert f'id="id_{field}_error"' in html
    assert "Helped the team rate their barriers." in html  # what was typed is kept
    assert not SupportContact.objects.exists() and not FollowUp.objects.exists()


def test_an_overlapping_contact_names_the_other_one(org, alice, guide):
    other = Organisation.objects.create(name="Riverside practice", slug="riverside", country="Netherlands")
    Membership.objects.create(organisation=other, user=alice, role=Role.SUPPORTER)
    _contact(other, alice, start_time=time(10, 0), minutes=60)
    with pytest.raises(ValidationError) as exc:
        _contact(org, alice, start_time=time(10, 30), minutes=30)
    assert "overlaps your contact with Riverside practice from 10:00 (60 minutes)" in exc.value.message_dict[
        "start_time"][0]
    _contact(org, alice, start_time=time(11, 0), minutes=30)  # right after it: fine


def test_the_same_contact_twice_is_refused_without_a_start_time(org, alice, guide):
    _contact(org, alice)
    with pytest.raises(ValidationError) as exc:
        _contact(org, alice)
    assert "You already logged the same contact" in exc.value.messages[0]
    _contact(org, alice, minutes=31)  # a different contact that day
    assert SupportContact.objects.count() == 2


def test_a_project_of_another_site_is_refused(org, alice, mallory, guide):
    theirs = Organisation.objects.create(name="Elsewhere", slug="elsewhere", country="Netherlands")
    Membership.objects.create(organisation=theirs, user=mallory, role=Role.LEAD)
    project = make_project(theirs, mallory)
    with pytest.raises(ValidationError) as exc:
        _contact(org, alice, project=project)
    assert "project" in exc.value.message_dict


def test_who_may_log_read_change_and_tick(client, org, alice, bob, carol, guide):
    Membership.objects.filter(organisation=org, user=carol).update(role=Role.VIEWER)
    contact = _contact(org, alice, follow_ups=[("Send the notes", date(2026, 3, 9))])
    follow_up = contact.follow_ups.get()
    # A viewer reads the site's support but logs nothing and changes nothing.
    client.force_login(carol)
    page = client.get(reverse("support:site_support", args=[org.slug])).content.decode()
    assert "Explained the matching step." in page and reverse("support:contact_new", args=[org.slug]) not in page
    assert client.get(reverse("support:contact_new", args=[org.slug])).status_code == 403
    assert client.get(reverse("support:contact_edit", args=[org.slug, contact.pk])).status_code == 403
    client.post(reverse("support:follow_up_done", args=[org.slug, follow_up.pk]), {"done": "1"})
    assert not FollowUp.objects.get().done
    # Another member may not change alice's entry, but may tick off the agreed step.
    client.force_login(bob)
    assert client.post(reverse("support:contact_delete", args=[org.slug, contact.pk])).status_code == 403
    client.post(reverse("support:follow_up_done", args=[org.slug, follow_up.pk]), {"done": "1"})
    assert FollowUp.objects.get().done
    # Deleting asks first; the author may.
    client.force_login(alice)
    delete = reverse("support:contact_delete", args=[org.slug, contact.pk])
    assert "Yes, delete" in client.get(delete).content.decode() and SupportContact.objects.exists()
    client.post(delete)
    assert not SupportContact.objects.exists() and not FollowUp.objects.exists()


def test_totals_and_months_are_counted(org, alice, bob, guide):
    today = date(2026, 6, 15)
    _contact(org, alice, contact_on=date(2026, 6, 1), minutes=60, kind="training")
    _contact(org, alice, contact_on=date(2026, 6, 2), minutes=30, kind="co_creation")
    _contact(org, bob, contact_on=date(2026, 4, 20), minutes=90, kind="co_creation")
    _contact(org, bob, contact_on=date(2025, 1, 20), minutes=15, kind="responsive")  # before the 12 months
    kinds = {k.kind: (k.contacts, k.hours) for k in log.totals_by_kind(SupportContact.objects.all())}
    assert kinds == {"training": (1, 1.0), "responsive": (1, 0.2), "co_creation": (2, 2.0)}
    months = log.by_month(SupportContact.objects.all(), today=today)
    by = {m: dict(counts) | {"all": total} for m, counts, total in months["months"]}
    assert len(by) == 12 and min(by) == date(2025, 7, 1)
    assert by[date(2026, 6, 1)] == {"training": 1, "responsive": 0, "co_creation": 1, "all": 2}
    assert by[date(2026, 4, 1)]["co_creation"] == 1 and months["peak"] == 2
    june = months["bars"][-1]
    assert [p[0] for p in june["pieces"]] == ["training", "co_creation"]
    assert sum(p[2] for p in june["pieces"]) == pytest.approx(100)


def test_the_pages_send_as_many_queries_for_many_contacts(client, org, alice, bob, guide):
    client.force_login(alice)
    project = make_project(org, alice)

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n, start):
        for i in range(n):
            _contact(org, alice if i % 2 else bob, contact_on=date(2026, 1, 1) + timedelta(days=start + i),
                     project=project if i % 3 else None, competencies=guide["competencies"][:2],
                     follow_ups=[(f"step {start + i}", date(2026, 12, 1))])

    urls = [reverse("support:site_support", args=[org.slug]), reverse("support:my_log")]
    add(2, 0)
    small = [count(u) for u in urls]
    add(6, 10)
    assert [count(u) for u in urls] == small
