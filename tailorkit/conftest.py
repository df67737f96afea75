"""The fixed cast: alice (lead), bob (core member), carol (supporter), dave (researcher, viewer here),
mallory (another organisation, must get 404 everywhere)."""

import pytest
from allauth.account.models import EmailAddress

from tailorkit.core import services
from tailorkit.core.models import Membership, Role, User

PASSWORD = "correct-horse-battery-staple-42"


def make_user(email, name=""):
    user = User.objects.create_user(email=email, password=PASSWORD, name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def alice(db):
    return make_user("alice@example.org", "Alice Lead")


@pytest.fixture
def org(alice):
    return services.organisation_create(user=alice, name="Northside Mental Health", country="Netherlands")


@pytest.fixture
def bob(org):
    user = make_user("bob@example.org", "Bob Member")
    Membership.objects.create(organisation=org, user=user, role=Role.MEMBER)
    return user


@pytest.fixture
def carol(org):
    user = make_user("carol@example.org", "Carol Supporter")
    Membership.objects.create(organisation=org, user=user, role=Role.SUPPORTER)
    return user


@pytest.fixture
def dave(org):
    user = make_user("dave@example.org", "Dave Researcher")
    Membership.objects.create(organisation=org, user=user, role=Role.VIEWER)
    return user


@pytest.fixture
def mallory(db):
    user = make_user("mallory@example.net", "Mallory Outsider")
    services.organisation_create(user=user, name="Elsewhere Clinic", country="Spain")
    return user


@pytest.fixture
def client_for(client):
    """Return a logged-in test client for a user: ``client_for(alice)``."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# --- Browser tests: Playwright driving Debian's Chromium (its own browser download is offline) ----
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; `make test` installs it (scripts/ensure-chromium)")
        pytest.skip(f"{CHROMIUM} is not installed; run scripts/ensure-chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Without these, Chromium keeps trying to reach Google's services on a closed network.
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


# --- Charts (core/charts.py): the tests of every app's charts --------------------------------------

@pytest.fixture
def fresh_charts(monkeypatch):
    """No chart kept in this process from an earlier test (the shared cache is a table, rolled back
    with each test's transaction)."""
    from collections import OrderedDict

    from tailorkit.core import charts
    monkeypatch.setattr(charts, "_local", OrderedDict())


@pytest.fixture
def vl_calls(monkeypatch):
    """The specifications vl-convert was asked to draw during the test."""
    import vl_convert
    calls = []
    real = vl_convert.vegalite_to_svg
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: calls.append(spec) or real(spec))
    return calls


@pytest.fixture
def drawings(monkeypatch):
    """The kinds of chart drawn (not taken from a cache) during the test."""
    from tailorkit.core import charts
    calls = []
    real = charts.draw
    monkeypatch.setattr(charts, "draw", lambda kind, make: calls.append(kind) or real(kind, make))
    return calls
