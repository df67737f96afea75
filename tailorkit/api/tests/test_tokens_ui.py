"""The API tokens page under account settings: create, show once, list, revoke."""

import pytest
from django.urls import reverse

from tailorkit.api.models import ApiToken
from tailorkit.core.models import AuditEvent
from tailorkit.core.tokens import hash_token

pytestmark = pytest.mark.django_db

TOKENS_URL = reverse("api:api_tokens")


def _create(client, name="Monthly export"):
    return client.post(TOKENS_URL, {"name": name})


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_lists_only_the_callers_own_tokens(client_for, alice, mallory, token_for):
    token_for(alice, "alice script")
    token_for(mallory, "mallory script")
    response = client_for(alice).get(TOKENS_URL)
    assert response.status_code == 200
    assert "alice script" in response.text
    assert "mallory script" not in response.text
    assert "Never" in response.text  # not used yet


def test_it_shows_a_new_token_once_and_stores_only_its_hash(client_for, alice):
    client = client_for(alice)
    response = _create(client)
    assert response.status_code == 200
    token = ApiToken.objects.get(user=alice)
    raw = response.context["raw_token"]
    assert raw.startswith("tk_") and len(raw) > 40
    assert raw in response.text
    assert "Copy it now" in response.text
    assert response["Cache-Control"] == "no-store"
    assert token.token_hash == hash_token(raw)
    assert token.prefix == raw[:8]
    # Nowhere in the row, nor in its history, is the raw token kept.
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()]
    assert all(raw not in value for value in stored)
    assert not hasattr(token.history.first(), "token_hash")
    # The next page load shows the prefix only.
    again = client.get(TOKENS_URL)
    assert raw not in again.text
    assert token.prefix in again.text
    assert AuditEvent.objects.filter(action="api.token_created", actor=alice).exists()


@pytest.mark.parametrize("name", ["", "   "])
def test_it_rejects_a_token_without_a_name(client_for, alice, name):
    response = _create(client_for(alice), name)
    assert response.status_code == 200
    assert "Give the token a name" in response.text
    assert 'role="alert"' in response.text
    assert not ApiToken.objects.exists()


def test_it_rejects_a_name_longer_than_100_characters(client_for, alice):
    response = _create(client_for(alice), "x" * 101)
    assert "100 characters or fewer" in response.text
    assert not ApiToken.objects.exists()


def test_it_asks_for_confirmation_before_revoking(client_for, alice, token_for):
    token_for(alice, "alice script")
    token = ApiToken.objects.get(user=alice)
    response = client_for(alice).get(reverse("api:api_token_revoke", args=[token.pk]))
    assert response.status_code == 200
    assert "Yes, revoke" in response.text
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_revokes_a_token(client_for, alice, token_for):
    token_for(alice, "alice script")
    token = ApiToken.objects.get(user=alice)
    client = client_for(alice)
    response = client.post(reverse("api:api_token_revoke", args=[token.pk]), follow=True)
    assert response.redirect_chain[-1][0] == TOKENS_URL
    assert "was revoked" in response.text
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "Revoked" in response.text
    assert AuditEvent.objects.filter(action="api.token_revoked", actor=alice).exists()


def test_it_tells_that_a_token_was_already_revoked(client_for, alice, token_for):
    token_for(alice)
    token = ApiToken.objects.get(user=alice)
    client = client_for(alice)
    client.post(reverse("api:api_token_revoke", args=[token.pk]))
    response = client.post(reverse("api:api_token_revoke", args=[token.pk]), follow=True)
    assert "already revoked" in response.text
    assert AuditEvent.objects.filter(action="api.token_revoked").count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_hides_another_users_token(client_for, alice, mallory, token_for, method):
    token_for(alice)
    token = ApiToken.objects.get(user=alice)
    response = getattr(client_for(mallory), method)(reverse("api:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_account_menu_links_to_the_tokens_page(client_for, alice):
    response = client_for(alice).get(TOKENS_URL)
    assert f'href="{TOKENS_URL}"' in response.text
