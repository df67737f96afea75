import pytest
from django.urls import reverse

from tailorkit.core.models import AuditEvent


def test_a_login_is_recorded_and_cannot_be_edited(client, alice, password):
    client.post(reverse("account_login"), {"login": "alice@example.org", "password": password})
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == alice and event.ip_address == "127.0.0.1"
    event.target = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_a_failed_login_is_recorded(client, alice):
    response = client.post(reverse("account_login"), {"login": "alice@example.org", "password": "wrong"})
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="auth.login_failed", target="alice@example.org").exists()


def test_repeated_failed_logins_are_rate_limited(client, alice, settings):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "alice@example.org", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "alice@example.org", "password": "wrong"})
    assert "Too many failed login attempts" in response.content.decode()


def test_the_admin_cannot_change_audit_events(admin_client, alice):
    from tailorkit.core.services import audit_record

    event = audit_record(action="test.event", actor=alice)
    response = admin_client.post(reverse("admin:core_auditevent_change", args=[event.pk]), {"target": "x"})
    assert response.status_code == 403
    assert (
        admin_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk, target="").exists()


def test_the_audit_log_is_for_leads(client_for, alice, bob, org):
    assert client_for(alice).get(reverse("core:audit_log", args=[org.slug])).status_code == 200
    assert client_for(bob).get(reverse("core:audit_log", args=[org.slug])).status_code == 403


def test_history_is_kept_for_organisations(alice, org):
    from tailorkit.core import services

    services.organisation_update(organisation=org, actor=alice, version=org.version, name="Renamed Site")
    names = list(org.history.order_by("history_date").values_list("name", flat=True))
    assert names == ["Northside Mental Health", "Renamed Site"]


def test_the_audit_log_page_claims_only_what_it_lists(client, alice, org, password):
    import re

    client.post(reverse("account_login"), {"login": "alice@example.org", "password": password})
    assert AuditEvent.objects.filter(action="auth.login", organisation=None).exists()  # a sign-in has no organisation
    page = client.get(reverse("core:audit_log", args=[org.slug])).content.decode()
    intro = re.search(r"<hgroup>.*?</hgroup>", page, re.S).group(0)
    assert "auth.login" not in page
    assert "record of sign-ins" not in intro and "Sign-ins belong to no organisation" in intro
