"""Anonymity that holds, erasure on request, automatic deletion of addresses (issue 4, points 6, 9)."""

from datetime import UTC, datetime, time, timedelta

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tailorkit.consultations.models import Answer, Consultation, Draft, Invitation, InvitationLink, Response
from tailorkit.consultations.services import delivery
from tailorkit.consultations.views.responding import grant_from_cookie
from tailorkit.core.models import AuditEvent

from .conftest import answer_all


def respond(client, token, role="nurse", importance="4"):
    client.get(f"/c/i/{token}/")
    answer_all(client, {"q-role": role, "action": "next"})
    return answer_all(client, {"q-importance": importance, "action": "submit"}, page=1)


def test_in_anonymous_mode_nothing_links_a_response_to_an_invitation(client, alice, anonymous, invite):
    token = invite(anonymous, alice, "sam@example.org")["sam@example.org"]
    assert respond(client, token)["Location"] == "/c/thanks/"
    response = Response.objects.get()
    invitation = Invitation.objects.get()
    assert response.invitation_id is None and response.submitted_at is None
    assert response.submitted_on == timezone.now().date()
    assert invitation.status == "completed"
    midnight = datetime.combine(timezone.now().date(), time.min, tzinfo=UTC)
    assert invitation.completed_at == midnight and invitation.sent_at == midnight and invitation.opened_at == midnight
    assert not Draft.objects.exists()  # the draft that knew the invitation is gone
    # Inspect the raw row: no column holds an address, an IP, a time of day or the invitation.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM consultations_response")
        columns = [c[0] for c in cursor.description]
        row = dict(zip(columns, cursor.fetchone(), strict=True))
    assert set(columns) == {"id", "organisation_id", "consultation_id", "version_id", "group", "submission_key",
                            "submitted", "submitted_on", "invitation_id", "submitted_at"}
    assert row["invitation_id"] is None and row["submitted_at"] is None
    assert str(invitation.pk) not in {str(v) for k, v in row.items() if k not in {"id", "organisation_id",
                                                                                     "consultation_id", "version_id"}}
    # The signed grant cookie no longer points at the invitation either.
    grant = grant_from_cookie(client.cookies["consultation_access"].value)
    assert grant["done"] and "inv" not in grant
    # No history table records the completion's exact time.
    assert not invitation.history.filter(status="completed").exists()


def test_in_identified_mode_the_response_keeps_its_invitation(client, alice, identified, invite):
    token = invite(identified, alice, "sam@example.org")["sam@example.org"]
    respond(client, token)
    response = Response.objects.get()
    assert response.invitation.email == "sam@example.org" and response.submitted_at is not None


def test_anonymity_cannot_be_switched_off_after_answers(client, alice, anonymous, invite):
    from django.core.exceptions import ValidationError

    respond(client, invite(anonymous, alice, "sam@example.org")["sam@example.org"])
    try:
        delivery.consultation_update(consultation=anonymous, actor=alice, version=anonymous.version, anonymous=False)
    except ValidationError as exc:
        assert "anonymity can no longer be changed" in exc.messages[0]
    else:
        raise AssertionError("expected a validation error")


def test_a_lead_erases_a_respondents_identified_data(client, client_for, alice, org, identified, invite):
    token = invite(identified, alice, "sam@example.org\nkim@example.org")["sam@example.org"]
    respond(client, token)
    invitation = Invitation.objects.get(email="sam@example.org")
    url = f"/o/{org.slug}/consultations/{identified.uuid}/respondents/{invitation.uuid}/erase/"
    assert "sam@example.org" in client_for(alice).get(url).content.decode()
    assert client_for(alice).post(url).status_code == 302
    invitation.refresh_from_db()
    assert invitation.email is None and invitation.erased_at is not None
    assert not InvitationLink.objects.filter(invitation=invitation).exists()
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    assert Invitation.objects.filter(email="kim@example.org").exists()
    # The link no longer works, and no history row or audit event still holds the address.
    assert client.get(f"/c/i/{token}/").status_code == 404
    assert "email" not in [f.name for f in Invitation.history.model._meta.fields]
    event = AuditEvent.objects.get(action="consultation.respondent_erased")
    assert "sam@" not in event.target + str(event.details)


def test_erasing_in_anonymous_mode_keeps_the_unlinkable_answers(client, alice, anonymous, invite):
    respond(client, invite(anonymous, alice, "sam@example.org")["sam@example.org"])
    delivery.invitation_erase(invitation=Invitation.objects.get(), actor=alice)
    assert Response.objects.count() == 1 and Invitation.objects.get().email is None


def test_only_a_lead_may_erase(client_for, bob, org, identified, alice, invite):
    invite(identified, alice, "sam@example.org")
    invitation = Invitation.objects.get()
    url = f"/o/{org.slug}/consultations/{identified.uuid}/respondents/{invitation.uuid}/erase/"
    assert client_for(bob).post(url).status_code == 403
    assert Invitation.objects.get().email == "sam@example.org"


def test_addresses_are_deleted_automatically_after_the_retention_period(alice, org, identified, anonymous, invite,
                                                                      settings):
    settings.TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS = 10
    invite(identified, alice, "sam@example.org")
    invite(anonymous, alice, "kim@example.org")
    Consultation.objects.filter(pk=identified.pk).update(closes_at=timezone.now() - timedelta(days=11))
    Consultation.objects.filter(pk=anonymous.pk).update(closes_at=timezone.now() - timedelta(days=9))
    call_command("purge_consultation_emails")
    assert list(Invitation.objects.filter(consultation=identified).values_list("email", flat=True)) == [None]
    kept = Invitation.objects.filter(consultation=anonymous).values_list("email", flat=True)
    assert list(kept) == ["kim@example.org"]
    assert Consultation.objects.get(pk=identified.pk).emails_purged_at is not None
    assert AuditEvent.objects.filter(action="consultation.emails_purged", details__count=1).exists()
    # Running again changes nothing.
    call_command("purge_consultation_emails")
    assert AuditEvent.objects.filter(action="consultation.emails_purged").count() == 1


def test_the_default_retention_is_thirty_days_and_a_task_runs_it(alice, identified, invite):
    from tailorkit.consultations.tasks import purge_due_emails

    invite(identified, alice, "sam@example.org")
    Consultation.objects.filter(pk=identified.pk).update(closed_at=timezone.now() - timedelta(days=29))
    assert purge_due_emails.enqueue().return_value == 0
    Consultation.objects.filter(pk=identified.pk).update(closed_at=timezone.now() - timedelta(days=31))
    assert purge_due_emails.enqueue().return_value == 1


def test_domain_models_keep_history(alice, identified):
    delivery.consultation_update(consultation=identified, actor=alice, version=identified.version, title="Renamed")
    assert identified.history.count() == 2
