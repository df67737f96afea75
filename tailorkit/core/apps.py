from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tailorkit.core"
    label = "core"
    verbose_name = _("Organisations and accounts")

    def ready(self):
        from . import receivers  # noqa: F401  (audit events for allauth sign-ins)
