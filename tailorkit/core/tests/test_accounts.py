import re

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.core import mail
from django.core.cache import cache
from django.urls import reverse


def totp_code(secret):
    # The current period's code. allauth's counters start at the tolerance's earliest period (the
    # previous one, with a tolerance of 1), whose code stops being valid when the period turns between
    # making the code and checking it: a test that took that one failed now and then on a busy machine.
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_user_turns_on_two_factor_and_must_then_give_a_code(client, alice, password):
    sign_in(client, alice.email, password)
    response = client.get(reverse("mfa_activate_totp"))
    if response.status_code == 302:  # allauth asks for the password again before security changes
        assert response["Location"].startswith(reverse("account_reauthenticate"))
        client.post(response["Location"], {"password": password})
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=alice, type=Authenticator.Type.RECOVERY_CODES).exists()

    client.post(reverse("account_logout"))
    cache.clear()  # a code may be used only once; the next sign-in may fall in the same 30 s window
    response = sign_in(client, alice.email, password)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Incorrect code" in response.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)


def test_a_recovery_code_signs_in_when_the_phone_is_lost(client, alice, password):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(alice, generate_totp_secret())
    codes = RecoveryCodes.activate(alice).get_unused_codes()
    sign_in(client, alice.email, password)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(alice.pk)


def test_password_reset_sends_a_link_that_sets_a_new_password(client, alice):
    client.post(reverse("account_reset_password"), {"email": alice.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "a-fresh-passphrase-31", "password2": "a-fresh-passphrase-31"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-fresh-passphrase-31")


def test_an_unverified_address_cannot_sign_in(client, db, settings):
    settings.TAILORKIT_OPEN_SIGNUP = True
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "another-long-passphrase-7",
            "password2": "another-long-passphrase-7",
        },
    )
    client.post(reverse("account_logout"))
    response = sign_in(client, "new@example.org", "another-long-passphrase-7")
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_unknown_pages_get_a_friendly_404(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_server_errors_get_a_friendly_page_without_a_trace(client, db, monkeypatch):
    from tailorkit.core import views

    def boom(request):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(views, "render", lambda *a, **k: boom(None))
    client.raise_request_exception = False
    response = client.get(reverse("core:invitation_detail"))  # a core page anyone may open
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "secret internal detail" not in body and "Traceback" not in body


def test_the_sign_in_page_says_accounts_are_by_invitation_when_sign_up_is_closed(client, db, settings):
    settings.TAILORKIT_OPEN_SIGNUP = False
    page = client.get(reverse("account_login")).content.decode()
    assert "sign up" not in page.lower()
    assert reverse("account_signup") not in page
    assert "Accounts are by invitation" in page
    closed = client.get(reverse("account_signup")).content.decode()
    assert "Sign Up Closed" not in closed
    assert "ask the lead of your organisation to invite you" in closed.lower()


def test_the_sign_in_page_links_to_sign_up_when_the_instance_opened_it(client, db, settings):
    settings.TAILORKIT_OPEN_SIGNUP = True
    page = client.get(reverse("account_login")).content.decode()
    assert f'href="{reverse("account_signup")}"' in page
    assert "Accounts are by invitation" not in page
