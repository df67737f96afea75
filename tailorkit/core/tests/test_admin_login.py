"""The Django admin is reached only through allauth's sign-in: its own login page would skip the
two-factor code, the limits on failed passwords and the audit log."""

from urllib.parse import unquote

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tailorkit.core.models import AuditEvent, User

from .test_accounts import totp_code

ADMIN = "/admin/"
ADMIN_LOGIN = "/admin/login/"


def make_superuser(password):
    root = User.objects.create_superuser(email="root@example.org", password=password)
    EmailAddress.objects.create(user=root, email=root.email, verified=True, primary=True)
    return root


def signed_in(client):
    return "_auth_user_id" in client.session


def test_the_admin_login_page_sends_everyone_to_the_allauth_sign_in(client, db):
    response = client.get(ADMIN_LOGIN, {"next": ADMIN})
    assert response.status_code == 302
    assert unquote(response["Location"]) == f"{reverse('account_login')}?next={ADMIN}"


def test_passwords_posted_to_the_admin_login_sign_nobody_in(client, db, password):
    root = make_superuser(password)
    TOTP.activate(root, generate_totp_secret())
    for _ in range(12):
        refused = client.post(ADMIN_LOGIN, {"username": root.email, "password": "wrong", "next": ADMIN})
        assert refused.status_code == 302 and refused["Location"].startswith(reverse("account_login"))
    response = client.post(ADMIN_LOGIN, {"username": root.email, "password": password, "next": ADMIN})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)
    assert client.get(ADMIN)["Location"].startswith(ADMIN_LOGIN)


def test_a_superuser_with_two_factor_gives_the_code_and_the_sign_in_is_audited(client, db, password):
    root = make_superuser(password)
    secret = generate_totp_secret()
    TOTP.activate(root, secret)
    response = client.post(f"{reverse('account_login')}?next={ADMIN}", {"login": root.email, "password": password})
    assert response["Location"] == reverse("mfa_authenticate") and not signed_in(client)
    assert client.get(ADMIN).status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == ADMIN and signed_in(client)
    assert client.get(ADMIN).status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=root).exists()


def test_a_signed_in_member_who_is_not_staff_is_refused(client_for, alice):
    assert client_for(alice).get(ADMIN_LOGIN).status_code == 403
