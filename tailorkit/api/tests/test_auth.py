"""Who may call the API: bearer tokens, the browser session, and nobody else."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from ninja.errors import HttpError

from tailorkit.api import services
from tailorkit.api.auth import session_auth
from tailorkit.api.models import ApiToken
from tailorkit.projects.models import Project

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


INVALID = "This token is not valid. Check that the whole token was copied, or create a new one."
EXPIRED = "This token has expired. Create a new one under Account → API tokens."
REVOKED = "This token has been revoked."


@pytest.mark.parametrize("raw", ["garbage", "tk_" + "a" * 43, "x" * 5000, ""])
def test_it_rejects_an_unknown_token(alice, token_for, raw):
    token_for(alice)
    response = _get(raw)
    assert response.status_code == 401
    assert response.json() == {"detail": INVALID}
    assert response["WWW-Authenticate"] == 'Bearer realm="Tailorkit API"'


def _bad_token(kind, user, token_for):
    """A raw token that is wrong, expired or revoked."""
    if kind == "wrong":
        token_for(user)
        return "tk_wrong", INVALID
    raw = token_for(user)
    token = ApiToken.objects.get(user=user)
    if kind == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        return raw, EXPIRED
    services.token_revoke(token=token, user=user)
    return raw, REVOKED


@pytest.mark.parametrize("kind", ["wrong", "expired", "revoked"])
@pytest.mark.parametrize("method", ["get", "post", "patch"])
def test_a_bad_token_is_a_401_on_every_method_never_a_csrf_403(org, alice, token_for, kind, method):
    raw, detail = _bad_token(kind, alice, token_for)
    # A client that enforces CSRF like a real browser would: the token alone decides.
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {raw}"})
    url = {"get": URL, "post": f"/api/organisations/{org.slug}/projects"}.get(
        method, f"/api/organisations/{org.slug}/projects/1")
    response = getattr(client, method)(url, {"name": "X"}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response["WWW-Authenticate"] == 'Bearer realm="Tailorkit API"'


def test_a_bad_token_is_not_rescued_by_a_signed_in_session(client_for, org, alice, token_for):
    client = client_for(alice)
    for method, url in (("get", URL), ("post", f"/api/organisations/{org.slug}/projects")):
        response = getattr(client, method)(url, {}, content_type="application/json",
                                           headers={"Authorization": "Bearer tk_wrong"})
        assert response.status_code == 401
        assert response.json() == {"detail": INVALID}


NEW_PROJECT = {"service": "iCBT", "determinant_pack": "test-determinants", "strategy_pack": "test-strategies"}


def test_a_valid_token_writes_without_csrf(org, alice, token_for, library):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(alice)}"})
    response = client.post(f"/api/organisations/{org.slug}/projects", {"name": "By script", **NEW_PROJECT},
                           content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_session_write_without_csrf_is_still_refused(org, alice, library):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(f"/api/organisations/{org.slug}/projects", {"name": "Forged", **NEW_PROJECT},
                           content_type="application/json")
    assert response.status_code == 403
    assert not Project.objects.filter(name="Forged").exists()
    # With the CSRF token the page would send, the same write goes through.
    client.get("/accounts/password/change/")
    response = client.post(f"/api/organisations/{org.slug}/projects", {"name": "Genuine", **NEW_PROJECT},
                           content_type="application/json", headers={"X-CSRFToken": client.cookies["csrftoken"].value})
    assert response.status_code == 201, response.content


def test_a_token_stores_its_expiry_and_stops_working_after_it(alice, token_for):
    raw = token_for(alice, expires_in_days=30)
    token = ApiToken.objects.get(user=alice)
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert _get(raw).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = _get(raw)
    assert response.status_code == 401
    assert response.json() == {"detail": EXPIRED}


def test_a_token_is_made_for_90_days_unless_told_otherwise(alice):
    token, _raw = services.token_create(user=alice, name="default")
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)


@pytest.mark.parametrize("days", [0, 7, 3650, None])
def test_it_refuses_a_lifetime_not_offered(alice, days):
    with pytest.raises(ValidationError) as excinfo:
        services.token_create(user=alice, name="odd", expires_in_days=days)
    assert "expires_in_days" in excinfo.value.message_dict
    assert not ApiToken.objects.exists()


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
