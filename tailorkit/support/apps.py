from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    """The implementation support practitioners' workspace (issue "implementation support practice").

    Today: each practitioner's own competencies and reflection (self-assessments over time, plans to
    develop chosen competencies, reflective notes, sharing an assessment with a peer or supervisor).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "tailorkit.support"
    verbose_name = _("Implementation support")
