"""Who may call the API: bearer tokens, the browser session, and nobody else."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from ninja.errors import HttpError

from tailorkit.api import services
from tailorkit.api.auth import session_auth
from tailorkit.api.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/api/organisations"


def _get(raw, url=URL):
    return Client().get(url, headers={"Authorization": f"Bearer {raw}"})


def test_it_accepts_a_valid_token(org, alice, token_for):
    response = _get(token_for(alice))
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()] == [org.slug]


def test_it_rejects_a_revoked_token_and_says_why(alice, token_for):
    raw = token_for(alice)
    token = ApiToken.objects.get(user=alice)
    services.token_revoke(token=token, user=alice)
    response = _get(raw)
    assert response.status_code == 401
    assert response.json() == {"detail": "This token has been revoked."}


@pytest.mark.parametrize("raw", ["garbage", "tk_" + "a" * 43, "x" * 5000, ""])
def test_it_rejects_an_unknown_token(alice, token_for, raw):
    token_for(alice)
    response = _get(raw)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_it_rejects_a_request_without_credentials(db):
    response = Client().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_rejects_the_token_of_a_deactivated_user(alice, token_for):
    raw = token_for(alice)
    alice.is_active = False
    alice.save()
    assert _get(raw).status_code == 401


def test_it_records_when_a_token_was_last_used_at_most_once_a_minute(alice, token_for):
    raw = token_for(alice)
    token = ApiToken.objects.get(user=alice)
    assert token.last_used_at is None
    _get(raw)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    _get(raw)
    token.refresh_from_db()
    assert token.last_used_at == first  # within the minute: no write
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    _get(raw)
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)
    assert timezone.now() - token.last_used_at < timedelta(seconds=30)


def test_it_accepts_a_signed_in_browser_session_for_reading(client_for, org, alice):
    response = client_for(alice).get(URL)
    assert response.status_code == 200
    assert response.json()[0]["slug"] == org.slug


def test_it_keeps_csrf_protection_for_unsafe_methods_on_the_session(rf, alice):
    # No route writes yet, so ask the session authenticator directly what it would do with a
    # cross-site POST that carries the session cookie but no CSRF token.
    request = rf.post(URL, data={}, content_type="application/json")
    request.user = alice
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    request._dont_enforce_csrf_checks = False
    with pytest.raises(HttpError) as excinfo:
        session_auth(request)
    assert excinfo.value.status_code == 403
    # A safe method with the same session is fine.
    request = rf.get(URL)
    request.user = alice
    assert session_auth(request) == alice


def test_the_schema_and_reference_page_are_open(db):
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    assert "/api/organisations" in schema.json()["paths"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    assert "/api/organisations/{org_slug}" in docs.text
    assert "<script>" not in docs.text  # the CSP forbids inline scripts
