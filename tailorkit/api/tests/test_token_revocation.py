"""A new password ends every API token: changed on allauth's page, reset by e-mail, or set."""

import re

import pytest
from allauth.account import signals
from django.core import mail
from django.test import Client
from django.urls import reverse

from tailorkit.api import services
from tailorkit.api.models import ApiToken
from tailorkit.conftest import PASSWORD
from tailorkit.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-passphrase-31"


def _works(raw):
    return Client().get("/api/organisations", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def _assert_all_revoked(user, raws, reason):
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert not any(_works(raw) for raw in raws)
    events = AuditEvent.objects.filter(action="api.token_revoked", actor=user)
    assert sorted(e.details["reason"] for e in events) == [reason] * len(raws)


def test_changing_the_password_revokes_every_token(client_for, alice, bob, token_for):
    raws = [token_for(alice, "one"), token_for(alice, "two")]
    bobs = token_for(bob)
    assert all(_works(raw) for raw in raws)
    response = client_for(alice).post(reverse("account_change_password"), {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    _assert_all_revoked(alice, raws, "password_changed")
    assert _works(bobs)  # other people's tokens are untouched


def test_a_refused_password_change_keeps_the_tokens(client_for, alice, token_for):
    raw = token_for(alice)
    client_for(alice).post(reverse("account_change_password"), {
        "oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
    })
    assert _works(raw)


def test_resetting_the_password_revokes_every_token(client, alice, token_for):
    raw = token_for(alice)
    client.post(reverse("account_reset_password"), {"email": alice.email})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    _assert_all_revoked(alice, [raw], "password_reset")


def test_setting_a_password_revokes_every_token(rf, alice, token_for):
    raw = token_for(alice)
    signals.password_set.send(sender=alice.__class__, request=rf.post("/accounts/password/set/"), user=alice)
    _assert_all_revoked(alice, [raw], "password_set")


def test_already_revoked_tokens_keep_their_date(alice, token_for):
    token_for(alice)
    token = ApiToken.objects.get(user=alice)
    services.token_revoke(token=token, user=alice)
    token.refresh_from_db()
    revoked_at = token.revoked_at
    assert services.tokens_revoke_all(user=alice, reason="password_changed") == 0
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
