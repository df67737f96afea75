"""What respondents and the team are told holds in the data (the privacy review of
docs/privacy-and-security.md): no exact time of opening anywhere, no key shared between a draft and
an anonymous response, drafts gone once a consultation is closed, small-group protection and
anonymity that cannot be quietly turned down, a true notice in every mode, addresses only for the
team that runs the consultation, and addresses deleted however often the consultation reopened."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from tailorkit.consultations.models import Consultation, Draft, Invitation, InvitationLink, Response
from tailorkit.consultations.services import delivery, responding
from tailorkit.consultations.views.responding import GRANT
from tailorkit.core.models import AuditEvent

from .conftest import answer_all
from .factories import make_consultation

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


def history_counts():
    """Rows in every edit-history table of the consultations app."""
    models = [m for m in apps.get_app_config("consultations").get_models() if m.__name__.startswith("Historical")]
    assert len(models) >= 6, "the history tables were not found"
    return {m.__name__: m.objects.count() for m in models}


def url(org, consultation, tail=""):
    return f"/o/{org.slug}/consultations/{consultation.uuid}/{tail}"


def start(client, token):
    """Open a personal link and answer the first of two pages: a draft now holds the answers."""
    client.get(f"/c/i/{token}/")
    answer_all(client, {"q-role": "nurse", "action": "next"})


# --- 1. No exact time of opening, in any table --------------------------------------------------

def test_an_anonymous_respondent_and_their_reminders_write_no_history_row(client, alice, anonymous, invite,
                                                                          django_capture_on_commit_callbacks):
    Consultation.objects.filter(pk=anonymous.pk).update(reminder_days=[3])
    anonymous.refresh_from_db()
    token = invite(anonymous, alice, "sam@example.org\nkim@example.org")["sam@example.org"]
    before = history_counts()
    start(client, token)
    assert answer_all(client, {"q-importance": "4", "action": "submit"}, page=1)["Location"] == "/c/thanks/"
    Invitation.objects.update(next_reminder_at=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.reminders_send_due() == 1  # kim, who has not answered
    # History rows carry the exact time they were written: opening, answering and reminders write none.
    assert history_counts() == before
    sam = Invitation.objects.get(email="sam@example.org")
    midnight = datetime.combine(timezone.now().date(), time.min, tzinfo=UTC)
    assert sam.status == "completed" and sam.opened_at == midnight
    assert Invitation.objects.get(email="kim@example.org").reminders_sent == 1


# --- 2. No key shared between a draft and an anonymous response; drafts deleted after closing ---

def test_an_anonymous_response_carries_no_key_that_its_draft_or_form_carried(client, alice, anonymous, invite):
    start(client, invite(anonymous, alice, "sam@example.org")["sam@example.org"])
    draft = Draft.objects.get()
    assert draft.invitation is not None  # a draft in progress is tied to the invitation
    before_submit = client.cookies[GRANT].value
    hidden = dict(HIDDEN.findall(client.get("/c/form/?page=1").content.decode()))
    data = {**hidden, "q-importance": "4", "action": "submit"}
    assert client.post("/c/form/", data)["Location"] == "/c/thanks/"
    response = Response.objects.get()
    assert str(response.submission_key) not in {str(draft.submission_key), hidden["submission_key"]}
    # A double click or a retry with the cookie from before the submit still finds the stored response.
    client.cookies[GRANT] = before_submit
    assert client.post("/c/form/", data)["Location"] == "/c/thanks/"
    again, created = responding.response_submit(draft=draft, submission_key=draft.submission_key,
                                                version_number=draft.version.number)
    assert (again, created) == (response, False) and Response.objects.count() == 1


def test_a_one_page_anonymous_answer_keeps_no_key_of_the_form(client, org, alice):
    from tailorkit.consultations.services import builder

    questionnaire = builder.questionnaire_create(organisation=org, actor=alice, title="Quick")
    builder.question_create(section=questionnaire.sections.get(), actor=alice, key="role", kind="single",
                            text="Your role",
                            options=[{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}])
    _consultation, token = make_consultation(org, alice, questionnaire, mode="open_link")
    client.get(f"/c/o/{token}/")
    hidden = dict(HIDDEN.findall(client.get("/c/form/").content.decode()))
    data = {**hidden, "q-role": "gp", "action": "submit"}
    before_submit = client.cookies[GRANT].value
    assert client.post("/c/form/", data)["Location"] == "/c/thanks/"
    assert str(Response.objects.get().submission_key) != hidden["submission_key"]
    client.cookies[GRANT] = before_submit
    assert client.post("/c/form/", data)["Location"] == "/c/thanks/"
    assert Response.objects.count() == 1


def test_drafts_are_deleted_when_a_consultation_closes(client, org, alice, anonymous, identified, invite):
    start(client, invite(anonymous, alice, "sam@example.org")["sam@example.org"])
    client.cookies.clear()
    start(client, invite(identified, alice, "kim@example.org")["kim@example.org"])
    assert Draft.objects.count() == 2
    # Closed by hand: it can never take answers again, so its drafts go at once.
    delivery.consultation_close(consultation=anonymous, actor=alice)
    assert list(Draft.objects.values_list("consultation", flat=True)) == [identified.pk]
    assert AuditEvent.objects.get(action="consultation.closed").details["drafts_deleted"] == 1
    # The daily job deletes the drafts of every consultation past its closing date, and no others.
    call_command("purge_consultation_emails")
    assert Draft.objects.count() == 1
    Consultation.objects.filter(pk=identified.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    call_command("purge_consultation_emails")
    assert not Draft.objects.exists()
    assert AuditEvent.objects.filter(action="consultation.drafts_deleted", details__count=1).count() == 1


# --- 3. The minimum group size cannot be lowered once anyone answered ---------------------------

def test_the_minimum_group_size_cannot_be_lowered_once_someone_answered(client, client_for, org, alice, anonymous,
                                                                        invite):
    delivery.consultation_update(consultation=anonymous, actor=alice, version=anonymous.version, min_group_size=4)
    anonymous.refresh_from_db()
    start(client, invite(anonymous, alice, "sam@example.org")["sam@example.org"])  # a draft is enough
    with pytest.raises(ValidationError) as refused:
        delivery.consultation_update(consultation=anonymous, actor=alice, version=anonymous.version,
                                     min_group_size=1)
    assert "min_group_size" in refused.value.message_dict
    assert Consultation.objects.get(pk=anonymous.pk).min_group_size == 4
    # On the settings page the refusal is shown at the field.
    page = client_for(alice).get(url(org, anonymous, "edit/")).content.decode()
    fields = dict(HIDDEN.findall(page))
    response = client_for(alice).post(url(org, anonymous, "edit/"), {
        "title": anonymous.title, "anonymous": "on", "min_group_size": "2", "version": fields["version"]})
    at_field = re.search(r'id="id_min_group_size_error"[^>]*>([^<]*)<', response.content.decode())
    assert response.status_code == 200 and "can no longer be lowered" in at_field.group(1)
    # Raising it is fine, and every change is in the audit log.
    delivery.consultation_update(consultation=anonymous, actor=alice, version=anonymous.version, min_group_size=6)
    changes = AuditEvent.objects.filter(action="consultation.min_group_size_changed").order_by("pk")
    assert [(e.details["from"], e.details["to"], e.actor) for e in changes] == [(5, 4, alice), (4, 6, alice)]
    assert all(e.organisation == org for e in changes)


def test_a_change_of_anonymity_is_in_the_audit_log(alice, org, identified):
    delivery.consultation_update(consultation=identified, actor=alice, version=identified.version, anonymous=True)
    event = AuditEvent.objects.get(action="consultation.anonymity_changed")
    assert event.details["from"] is False and event.details["to"] is True and event.organisation == org
    identified.refresh_from_db()
    delivery.consultation_update(consultation=identified, actor=alice, version=identified.version, title="Same")
    assert AuditEvent.objects.filter(action="consultation.anonymity_changed").count() == 1


# --- 4. Anonymity, once promised, stays ---------------------------------------------------------

def test_anonymity_cannot_be_switched_off_once_invitations_went_out(alice, anonymous, identified, invite):
    invite(anonymous, alice, "sam@example.org")
    with pytest.raises(ValidationError) as refused:
        delivery.consultation_update(consultation=anonymous, actor=alice, version=anonymous.version,
                                     anonymous=False)
    assert "anonymous" in refused.value.message_dict
    assert Consultation.objects.get(pk=anonymous.pk).anonymous is True
    # Named to anonymous stays allowed while nobody has answered.
    invite(identified, alice, "kim@example.org")
    delivery.consultation_update(consultation=identified, actor=alice, version=identified.version, anonymous=True)
    assert Consultation.objects.get(pk=identified.pk).anonymous is True


def test_an_open_link_stays_anonymous_once_it_opened(org, alice, questionnaire):
    later, _token = make_consultation(org, alice, questionnaire, mode="open_link",
                                      opens_at=timezone.now() + timedelta(days=2))
    delivery.consultation_update(consultation=later, actor=alice, version=later.version, anonymous=False)
    assert Consultation.objects.get(pk=later.pk).anonymous is False
    opened, _token = make_consultation(org, alice, questionnaire, mode="open_link", title="Open now")
    with pytest.raises(ValidationError) as refused:
        delivery.consultation_update(consultation=opened, actor=alice, version=opened.version, anonymous=False)
    assert "anonymous" in refused.value.message_dict


# --- 6. A true notice in every mode -------------------------------------------------------------

@pytest.mark.parametrize("mode, anonymous, says, never", [
    ("open_link", False, "not anonymous", "invitation"),
    ("open_link", True, "Your answers are anonymous", "not anonymous"),
    ("invitations", False, "stored with your invitation", "Your answers are anonymous"),
    ("invitations", True, "Your answers are anonymous", "invitation"),
])
def test_each_mode_tells_respondents_what_is_true(client, org, alice, questionnaire, invite, mode, anonymous, says,
                                                  never):
    consultation, token = make_consultation(org, alice, questionnaire, mode=mode, anonymous=anonymous)
    if mode == "invitations":
        client.get(f"/c/i/{invite(consultation, alice, 'sam@example.org')['sam@example.org']}/")
    else:
        client.get(f"/c/o/{token}/")
    notice = re.search(r'<p class="muted">(.*?)</p>', client.get("/c/form/").content.decode()).group(1)
    assert says in notice and never not in notice


# --- 9. Addresses only for those who run the consultation ---------------------------------------

def test_only_leads_and_core_members_see_the_invitees(client_for, org, alice, bob, carol, dave, anonymous, invite):
    invite(anonymous, alice, "sam@example.org\nkim@example.org")
    for who in (alice, bob):
        page = client_for(who).get(url(org, anonymous)).content.decode()
        assert "sam@example.org" in page and "2 sent, not opened · 0 opened · 0 completed" in page
    for who in (carol, dave):
        page = client_for(who).get(url(org, anonymous)).content.decode()
        assert "2 sent, not opened · 0 opened · 0 completed" in page
        assert "sam@example.org" not in page and "kim@example.org" not in page and "<table" not in page


# --- 10. Addresses are deleted after every closing ---------------------------------------------

def test_addresses_of_people_invited_after_a_reopening_are_deleted_too(alice, identified, invite, settings):
    settings.TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS = 10
    invite(identified, alice, "sam@example.org")
    Consultation.objects.filter(pk=identified.pk).update(closes_at=timezone.now() - timedelta(days=11))
    call_command("purge_consultation_emails")
    assert not Invitation.objects.exclude(email=None).exists()
    # Reopened: the closing date moves later, and more people are invited.
    Consultation.objects.filter(pk=identified.pk).update(closes_at=timezone.now() + timedelta(days=5))
    identified.refresh_from_db()
    invite(identified, alice, "kim@example.org")
    call_command("purge_consultation_emails")
    assert Invitation.objects.get(email="kim@example.org").links.count() == 1  # still open: kept
    Consultation.objects.filter(pk=identified.pk).update(closes_at=timezone.now() - timedelta(days=11))
    call_command("purge_consultation_emails")
    assert not Invitation.objects.exclude(email=None).exists() and not InvitationLink.objects.exists()
    assert AuditEvent.objects.filter(action="consultation.emails_purged", details__count=1).count() == 2


def test_the_page_says_when_addresses_are_kept_until_closing(client_for, org, alice, identified, invite):
    invite(identified, alice, "sam@example.org")
    assert identified.closes_at is None
    page = client_for(alice).get(url(org, identified)).content.decode()
    assert "no closing date" in page and "kept until you close it" in page
    Consultation.objects.filter(pk=identified.pk).update(closes_at=timezone.now() + timedelta(days=3))
    page = client_for(alice).get(url(org, identified)).content.decode()
    assert "no closing date" not in page and "days after the consultation closes" in page


def test_responses_stored_before_the_change_get_the_keyed_hash(org, alice, anonymous):
    import uuid
    from importlib import import_module

    from .factories import add_response

    raw = uuid.uuid4()
    stored = add_response(anonymous, {"role": "gp"})
    Response.objects.filter(pk=stored.pk).update(submission_key=raw)
    import_module("tailorkit.consultations.migrations.0005_response_submission_key_hashed").hash_submission_keys(
        apps, None)
    stored.refresh_from_db()
    assert stored.submission_key == responding.stored_key(raw) != raw
    assert responding.submitted_with_key(raw) == stored
