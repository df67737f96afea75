"""Respondent link limits (issue 9, point 2): a whole clinic behind one address can answer at once,
while guessing tokens is still stopped, per client address, also behind the documented proxy."""

import time
from types import SimpleNamespace

import pytest
from django.test import Client, override_settings

from tailorkit.consultations.views import responding

from .factories import make_consultation

PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """Every request of a test falls in the same one-minute window of the limiter: on a slow or busy
    machine a test could otherwise start in one minute and finish in the next, and its counts would
    start again from zero half way through."""
    now = time.time()
    monkeypatch.setattr(responding, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def open_link(org, alice, questionnaire):
    return make_consultation(org, alice, questionnaire, mode="open_link")[1]


def test_three_hundred_respondents_behind_one_address_all_get_the_form(open_link):
    client = Client(REMOTE_ADDR="192.0.2.10")  # one clinic's NAT address
    codes = []
    for _ in range(300):
        client.cookies.clear()  # a new browser each time
        response = client.get(f"/c/o/{open_link}/")
        codes.append((response.status_code, response.get("Location")))
    assert codes == [(302, "/c/form/")] * 300
    assert "Your role" in client.get("/c/form/").content.decode()


def test_bad_tokens_from_one_address_are_refused(client, open_link):
    codes = [client.get(f"/c/o/guess{n}/").status_code for n in range(30)]
    assert codes[0] == 404 and codes[-1] == 429
    assert 429 in codes[:25]
    # Once refused, a working link is refused too: a guesser cannot tell a hit from a miss.
    assert client.get(f"/c/o/{open_link}/").status_code == 429
    assert client.get("/c/i/" + "x" * 43 + "/").status_code == 429


@override_settings(TAILORKIT_TRUSTED_PROXIES=1)
def test_a_bad_token_flood_from_one_client_does_not_block_another_behind_the_proxy(open_link):
    attacker = Client(REMOTE_ADDR=PROXY)
    codes = [attacker.get(f"/c/i/guess{n}/", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5").status_code
             for n in range(70)]
    assert codes[-1] == 429  # rotating the forged left-most entry did not help
    respondent = Client(REMOTE_ADDR=PROXY)
    response = respondent.get(f"/c/o/{open_link}/", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302 and response["Location"] == "/c/form/"


@override_settings(TAILORKIT_CONSULTATION_OPENINGS_LIMIT=5)
def test_working_links_have_their_own_generous_limit(client, open_link):
    codes = [client.get(f"/c/o/{open_link}/").status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]


@override_settings(TAILORKIT_CONSULTATION_RATE_LIMIT=3)
def test_only_wrong_access_codes_count_against_an_address(org, alice, questionnaire):
    token = make_consultation(org, alice, questionnaire, mode="open_link", access_code="tulip")[1]
    for _ in range(10):  # ten colleagues behind one address, each with the right code
        colleague = Client(REMOTE_ADDR="192.0.2.10")
        colleague.get(f"/c/o/{token}/")
        assert colleague.post("/c/form/", {"access_code": "tulip"})["Location"] == "/c/form/"
    guesser = Client(REMOTE_ADDR="192.0.2.10")
    guesser.get(f"/c/o/{token}/")
    codes = [guesser.post("/c/form/", {"access_code": f"rose{n}"}).status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]
    assert guesser.post("/c/form/", {"access_code": "tulip"}).status_code == 429
