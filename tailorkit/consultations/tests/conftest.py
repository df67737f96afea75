import re

import pytest
from django.core import mail
from django.core.cache import cache

from tailorkit.consultations.services import delivery

from .factories import make_consultation, make_questionnaire

LINK = re.compile(r"https?://\S+/c/i/(\S+)/")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()


@pytest.fixture
def questionnaire(org, alice):
    return make_questionnaire(org, alice)


@pytest.fixture
def identified(org, alice, questionnaire):
    return make_consultation(org, alice, questionnaire, anonymous=False, reminder_days=[3, 7])[0]


@pytest.fixture
def anonymous(org, alice, questionnaire):
    return make_consultation(org, alice, questionnaire, anonymous=True, title="Anonymous round")[0]


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """Invite addresses to a consultation; returns {email: token from the email}."""

    def _invite(consultation, actor, text):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            delivery.invitations_send(consultation=consultation, actor=actor, text=text)
        return {m.to[0]: LINK.search(m.body).group(1) for m in mail.outbox[before:]}

    return _invite


def answer_all(client, data=None, page=None):
    """POST one page of the respondent form with the hidden fields taken from the last GET."""
    response = client.get("/c/form/" + (f"?page={page}" if page is not None else ""))
    html = response.content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    return client.post("/c/form/", {**hidden, **(data or {})})
