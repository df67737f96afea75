from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from .net import client_ip

INVITATION_SESSION_KEY = "tailorkit_invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is by invitation only, unless the instance setting TAILORKIT_OPEN_SIGNUP opens it."""

    def is_open_for_signup(self, request):
        if settings.TAILORKIT_OPEN_SIGNUP:
            return True
        from .services import invitation_for_token, invitation_problem

        token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
        return token is not None and invitation_problem(invitation_for_token(token)) is None

    def get_login_redirect_url(self, request):
        # Someone who arrived through an invitation link goes back to it to accept.
        if request.session.get(INVITATION_SESSION_KEY):
            return reverse("core:invitation_detail")
        return super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return self.get_login_redirect_url(request)

    def get_client_ip(self, request):
        # allauth's rate limits count per client address: read it the one way Tailorkit does
        # (core/net.py, TAILORKIT_TRUSTED_PROXIES), not from allauth's own settings.
        return client_ip(request) or super().get_client_ip(request)
