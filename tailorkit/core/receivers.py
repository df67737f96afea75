"""Audit events for sign-ins. Recording an event is the only thing done here (no business logic)."""

from allauth.account.signals import user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    from .services import audit_record

    audit_record(action="auth.login", actor=user, target=user.email, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    from .services import audit_record

    email = str(credentials.get("email") or credentials.get("username") or "")[:200]
    audit_record(action="auth.login_failed", target=email, request=request)
