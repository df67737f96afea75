import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tailorkit.core import services
from tailorkit.core.models import AuditEvent, Invitation, Membership, Role


def test_creating_an_organisation_makes_its_creator_the_lead(client_for, alice):
    client = client_for(alice)
    response = client.post(
        reverse("core:organisation_create"),
        {
            "name": "Riverside Clinic",
            "country": "Ireland",
            "language": "en",
            "sector": "mental_health",
        },
    )
    org = alice.memberships.get(organisation__name="Riverside Clinic").organisation
    assert response.status_code == 302 and response["Location"] == reverse("core:organisation_detail", args=[org.slug])
    assert Membership.objects.get(organisation=org, user=alice).role == Role.LEAD
    assert AuditEvent.objects.filter(action="organisation.created", organisation=org).exists()


def test_it_shows_field_errors_for_a_blank_organisation_form(client_for, alice):
    response = client_for(alice).post(reverse("core:organisation_create"), {"name": "", "country": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Membership.objects.filter(user=alice).exists()


def test_a_lead_invites_by_email_and_the_link_works_once(
    client_for, alice, org, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(
            reverse("core:member_list", args=[org.slug]), {"email": "erin@example.org", "role": "member"}
        )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    link = next(line for line in body.splitlines() if "/invitation/" in line).strip()
    invitation = Invitation.objects.get(email="erin@example.org")
    assert invitation.token_hash not in body  # only the raw token travels, only its hash is stored
    assert AuditEvent.objects.filter(action="invitation.sent", target="erin@example.org").exists()

    client.logout()
    response = client.get(link.replace("http://testserver", ""), follow=True)
    assert "You are invited to join Northside Mental Health" in response.content.decode()
    # The invitation opens sign-up even though the instance is invitation-only.
    response = client.post(
        reverse("account_signup"),
        {
            "email": "erin@example.org",
            "password1": "a-long-unusual-passphrase-9",
            "password2": "a-long-unusual-passphrase-9",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("core:invitation_detail")
    response = client.post(reverse("core:invitation_detail"), {"action": "accept"}, follow=True)
    assert Membership.objects.get(organisation=org, user__email="erin@example.org").role == Role.MEMBER

    # Reusing the same link is refused with a clear message.
    response = client.get(link.replace("http://testserver", ""), follow=True)
    assert "already been used" in response.content.decode()


def test_sign_up_is_closed_without_an_invitation(client, db):
    response = client.get(reverse("account_signup"))
    page = response.content.decode()
    assert "Accounts are by invitation" in page and 'name="password1"' not in page


def test_an_instance_setting_opens_sign_up(client, db, settings):
    settings.TAILORKIT_OPEN_SIGNUP = True
    response = client.post(
        reverse("account_signup"),
        {
            "email": "frank@example.org",
            "password1": "another-long-passphrase-7",
            "password2": "another-long-passphrase-7",
        },
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "frank@example.org" in mail.outbox[0].to  # email verification


def test_it_rejects_sign_up_with_a_taken_email(client, alice, settings):
    settings.TAILORKIT_OPEN_SIGNUP = True
    response = client.post(
        reverse("account_signup"),
        {
            "email": "alice@example.org",
            "password1": "another-long-passphrase-7",
            "password2": "another-long-passphrase-7",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert len(mail.outbox) == 0


def test_an_expired_invitation_is_refused(client, alice, org):
    invitation = services.invitation_create(
        organisation=org, email="gina@example.org", role="viewer", invited_by=alice
    )
    token = services.invitation_issue_link(invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)
    response = client.get(reverse("core:invitation_open", args=[token]), follow=True)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user__email="gina@example.org").exists()


def test_an_unknown_invitation_token_reveals_nothing(client, db):
    response = client.get(reverse("core:invitation_open", args=["not-a-real-token"]), follow=True)
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_it_refuses_to_invite_an_existing_member(client_for, alice, bob, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            reverse("core:member_list", args=[org.slug]), {"email": "BOB@example.org", "role": "member"}
        )
    assert response.status_code == 200
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


def test_a_newer_invitation_replaces_the_pending_one(alice, org):
    first = services.invitation_create(organisation=org, email="h@example.org", role="member", invited_by=alice)
    first_token = services.invitation_issue_link(invitation=first)
    services.invitation_create(organisation=org, email="h@example.org", role="viewer", invited_by=alice)
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert "withdrawn" in services.invitation_problem(services.invitation_for_token(first_token))


def test_accepting_with_another_address_is_refused(alice, bob, org):
    invitation = services.invitation_create(organisation=org, email="ivy@example.org", role="member", invited_by=alice)
    token = services.invitation_issue_link(invitation=invitation)
    with pytest.raises(ValidationError, match="sent to ivy@example.org"):
        services.invitation_accept(token=token, user=bob)


def test_it_never_removes_the_last_lead(client_for, alice, org):
    membership = Membership.objects.get(organisation=org, user=alice)
    response = client_for(alice).post(reverse("core:member_remove", args=[org.slug, membership.pk]), follow=True)
    assert "only implementation lead" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_never_demotes_the_last_lead(client_for, alice, org):
    membership = Membership.objects.get(organisation=org, user=alice)
    client_for(alice).post(reverse("core:member_change_role", args=[org.slug, membership.pk]), {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.LEAD


def test_a_lead_changes_a_role_and_it_is_audited(client_for, alice, bob, org):
    membership = Membership.objects.get(organisation=org, user=bob)
    client_for(alice).post(reverse("core:member_change_role", args=[org.slug, membership.pk]), {"role": "lead"})
    membership.refresh_from_db()
    assert membership.role == Role.LEAD
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.details == {"from": "member", "to": "lead"} and event.actor == alice
    # With two leads, the first may now step down.
    own = Membership.objects.get(organisation=org, user=alice)
    services.membership_change_role(membership=own, role=Role.MEMBER, actor=alice)
    assert own.history.count() == 2


def test_removing_a_member_asks_for_confirmation_first(client_for, alice, bob, org):
    membership = Membership.objects.get(organisation=org, user=bob)
    client = client_for(alice)
    response = client.get(reverse("core:member_remove", args=[org.slug, membership.pk]))
    assert "Yes, remove" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.post(reverse("core:member_remove", args=[org.slug, membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("who", ["bob", "carol", "dave"])
def test_only_leads_manage_members(request, client_for, org, who):
    user = request.getfixturevalue(who)
    client = client_for(user)
    response = client.post(reverse("core:member_list", args=[org.slug]), {"email": "x@example.org", "role": "lead"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert client.get(reverse("core:member_list", args=[org.slug])).status_code == 200  # but they may look


def test_a_user_switches_between_organisations(client_for, alice, org):
    other = services.organisation_create(user=alice, name="Second Site", country="Belgium")
    client = client_for(alice)
    response = client.post(reverse("core:organisation_switch", args=[other.slug]))
    assert response["Location"] == reverse("core:organisation_detail", args=[other.slug])
    assert client.get(reverse("core:organisation_list")).context["current_organisation"] == other
    client.post(reverse("core:organisation_switch", args=[org.slug]))
    assert client.get(reverse("core:organisation_list")).context["current_organisation"] == org


def test_user_text_is_escaped(client_for, alice):
    org = services.organisation_create(user=alice, name="<script>alert(1)</script>", country="X")
    html = client_for(alice).get(reverse("core:organisation_detail", args=[org.slug])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
