"""The client's address behind the documented reverse proxy (issue 9, point 2): sign-in limits and
the audit log count the real client, never the proxy's shared address nor a forged entry."""

import pytest
from django.conf import settings as django_settings
from django.shortcuts import resolve_url
from django.test import RequestFactory
from django.urls import reverse

from tailorkit.core.models import AuditEvent
from tailorkit.core.net import address_block, client_ip

PROXY = "10.0.0.1"  # nginx, on the app's own network: every request arrives from it


def request_with(xff=None, remote=PROXY):
    headers = {"HTTP_X_FORWARDED_FOR": xff} if xff is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


@pytest.mark.parametrize(("trusted", "xff", "expected"), [
    (0, "203.0.113.5", PROXY),                          # no trusted proxy: the header is ignored
    (1, None, PROXY),                                   # no header (a health check from the host)
    (1, "203.0.113.5", "203.0.113.5"),
    (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),    # the forged left-most entry is not used
    (2, "198.51.100.7, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
    (2, "203.0.113.5", PROXY),                          # fewer entries than proxies
    (1, "198.51.100.7, not-an-address", PROXY),         # malformed: the proxy, never the forged one
    (1, "203.0.113.5, ", PROXY),
    (1, "203.0.113.5:4711", "203.0.113.5"),
    (1, "[2001:db8::1]:443", "2001:db8::1"),
])
def test_the_client_is_the_right_most_address_our_proxies_did_not_write(settings, trusted, xff, expected):
    settings.TAILORKIT_TRUSTED_PROXIES = trusted
    assert client_ip(request_with(xff)) == expected


def test_an_unusable_remote_addr_gives_no_address(settings):
    settings.TAILORKIT_TRUSTED_PROXIES = 0
    assert client_ip(request_with(remote="")) is None


def test_an_ipv6_client_counts_by_its_network():
    assert address_block("2001:db8::1") == address_block("2001:db8::ffff") == "2001:db8::/64"
    assert address_block("203.0.113.5") == "203.0.113.5"


def test_allauth_is_given_the_same_number_of_proxies():
    assert django_settings.ALLAUTH_TRUSTED_PROXY_COUNT == django_settings.TAILORKIT_TRUSTED_PROXIES == 0


def sign_in(client, email, password, xff):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=xff)


def test_wrong_passwords_from_one_client_do_not_block_another_behind_the_same_proxy(
        client, alice, password, settings):
    settings.TAILORKIT_TRUSTED_PROXIES = 1
    for n in range(12):
        response = sign_in(client, f"someone{n}@example.org", "wrong", "203.0.113.5")
    assert "Too many failed login attempts" in response.content.decode()  # client A is held back
    response = sign_in(client, "alice@example.org", password, "198.51.100.20")  # client B
    assert response.status_code == 302 and response["Location"] == resolve_url(settings.LOGIN_REDIRECT_URL)


def test_a_forged_left_most_entry_does_not_change_the_address(client, alice, settings):
    settings.TAILORKIT_TRUSTED_PROXIES = 1
    for n in range(12):
        response = sign_in(client, f"someone{n}@example.org", "wrong", f"192.0.2.{n}, 203.0.113.5")
    assert "Too many failed login attempts" in response.content.decode()
    sign_in(client, "alice@example.org", "wrong", "192.0.2.99, 198.51.100.20")
    event = AuditEvent.objects.filter(action="auth.login_failed", target="alice@example.org").get()
    assert event.ip_address == "198.51.100.20"
