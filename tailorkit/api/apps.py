"""The REST API app: personal tokens and the django-ninja API over the services."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tailorkit.api"
    label = "api"
    verbose_name = "API"

    def ready(self):
        # A new password ends every API token made with the old one: whoever changes or resets a
        # password after a leak must not have to remember the tokens too. allauth's pages send
        # these signals; the receivers only call the service.
        from allauth.account import signals

        for signal, reason in (
            (signals.password_changed, "password_changed"),
            (signals.password_set, "password_set"),
            (signals.password_reset, "password_reset"),
        ):
            signal.connect(_revoker(reason), weak=False, dispatch_uid=f"api.tokens_revoke_all.{reason}")


def _revoker(reason):
    def receiver(sender, request=None, user=None, **kwargs):
        from .services import tokens_revoke_all

        if user is not None and user.pk is not None:
            tokens_revoke_all(user=user, reason=reason, request=request)

    return receiver
