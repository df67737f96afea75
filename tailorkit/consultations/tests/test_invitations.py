"""Reaching people: invitations, links, reminders, status, audit (issue 4, point 4)."""

from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tailorkit.consultations.models import Invitation, InvitationLink
from tailorkit.core.models import AuditEvent

from .conftest import LINK


def url(org, consultation, tail=""):
    return f"/o/{org.slug}/consultations/{consultation.uuid}/{tail}"


def test_a_pasted_list_sends_one_unique_link_each_by_the_background_task(
        client_for, alice, org, identified, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(url(org, identified, "invite/"), {
            "addresses": "sam@example.org, clinician\nkim@example.org; manager\n\nlee@example.org",
            "default_group": "patient"})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["kim@example.org", "lee@example.org", "sam@example.org"]
    tokens = {LINK.search(m.body).group(1) for m in mail.outbox}
    assert len(tokens) == 3 and all(len(t) >= 22 for t in tokens)  # ≥128 bits, base64
    groups = dict(Invitation.objects.values_list("email", "group"))
    assert groups == {"sam@example.org": "clinician", "kim@example.org": "manager", "lee@example.org": "patient"}
    # Only hashes are stored.
    stored = set(InvitationLink.objects.values_list("token_hash", flat=True))
    assert not tokens & stored and len(stored) == 3


def test_one_bad_line_stops_the_whole_batch_and_names_each_line(client_for, alice, org, identified,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(url(org, identified, "invite/"), {
            "addresses": "sam@example.org\nnot-an-address\nkim@example.org, wizard\nsam@example.org"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: “not-an-address” is not an email address." in page
    assert "Line 3: unknown group “wizard”" in page
    assert "Line 4: sam@example.org is already on line 1." in page
    assert Invitation.objects.count() == 0 and mail.outbox == []


def test_nobody_is_invited_twice(alice, identified, invite):
    invite(identified, alice, "sam@example.org")
    from django.core.exceptions import ValidationError

    from tailorkit.consultations.services import delivery
    try:
        delivery.invitations_send(consultation=identified, actor=alice, text="SAM@example.org")
    except ValidationError as exc:
        assert "already been invited" in exc.messages[0]
    else:
        raise AssertionError("expected a validation error")


def test_the_team_sees_sent_opened_and_completed(client, client_for, alice, org, identified, invite):
    links = invite(identified, alice, "sam@example.org\nkim@example.org")
    client.get(f"/c/i/{links['kim@example.org']}/")
    statuses = dict(Invitation.objects.values_list("email", "status"))
    assert statuses == {"sam@example.org": "sent", "kim@example.org": "opened"}
    page = client_for(alice).get(url(org, identified)).content.decode()
    assert "1 sent, not opened · 1 opened · 0 completed" in page


def test_reminders_go_only_to_people_who_have_not_finished_when_due(alice, identified, invite,
                                                                    django_capture_on_commit_callbacks):
    invite(identified, alice, "sam@example.org\nkim@example.org")
    Invitation.objects.filter(email="kim@example.org").update(status="completed")
    mail.outbox.clear()
    call_command("send_reminders")
    assert mail.outbox == []  # not yet due
    sam = Invitation.objects.get(email="sam@example.org")
    Invitation.objects.update(next_reminder_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders")
    assert [m.to[0] for m in mail.outbox] == ["sam@example.org"]
    assert mail.outbox[0].subject.startswith("Reminder")
    sam.refresh_from_db()
    assert sam.reminders_sent == 1
    assert sam.next_reminder_at == sam.sent_at + timedelta(days=7)
    assert sam.links.count() == 2  # the first link still works too
    assert AuditEvent.objects.filter(action="consultation.reminders_sent", details__count=1).exists()


def test_the_reminder_task_can_be_enqueued_by_a_periodic_caller(alice, identified, invite):
    from tailorkit.consultations.tasks import send_due_reminders

    invite(identified, alice, "sam@example.org")
    result = send_due_reminders.enqueue()
    assert result.return_value == 0


def test_sends_are_audited_without_email_addresses(alice, identified, invite):
    invite(identified, alice, "sam@example.org")
    event = AuditEvent.objects.get(action="consultation.invitations_sent")
    assert event.details["count"] == 1 and "sam@" not in str(event.details) + event.target


def test_an_open_link_is_shown_once_and_stored_hashed(client_for, alice, org, questionnaire):
    client = client_for(alice)
    response = client.post(f"/o/{org.slug}/consultations/new/", {
        "title": "Open survey", "questionnaire": questionnaire.pk, "mode": "open_link", "min_group_size": 5,
        "access_code": "tulip"}, follow=True)
    page = response.content.decode()
    assert "/c/o/" in page
    consultation = org.consultations.get(title="Open survey")
    assert consultation.open_token_hash and consultation.access_code_hash != "tulip"
    assert "/c/o/" not in client.get(url(org, consultation)).content.decode()


def test_closing_dates_must_follow_opening(client_for, alice, org, questionnaire):
    response = client_for(alice).post(f"/o/{org.slug}/consultations/new/", {
        "title": "Bad dates", "questionnaire": questionnaire.pk, "mode": "invitations", "min_group_size": 5,
        "opens_at": "2030-05-02T10:00", "closes_at": "2030-05-01T10:00"})
    assert "must be after the opening date" in response.content.decode()


def test_a_viewer_cannot_invite_and_an_outsider_gets_404(client_for, dave, mallory, org, identified):
    assert client_for(dave).post(url(org, identified, "invite/"), {"addresses": "x@example.org"}).status_code == 403
    assert client_for(mallory).get(url(org, identified)).status_code == 404


def test_the_scheduler_enqueues_the_periodic_jobs(db, capsys):
    from django.core.management import call_command

    # Under pytest tasks run at once, so enqueuing runs both jobs here without error.
    call_command("schedule_periodic", "--once")
    assert "Enqueued the periodic consultation jobs." in capsys.readouterr().out
