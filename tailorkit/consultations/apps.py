from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "tailorkit.consultations"
    label = "consultations"
    verbose_name = _("Stakeholder consultations")

    def ready(self):
        # The project step pages show this app's step consultations and stakeholder figures through
        # hooks, so that projects never imports consultations (see tailorkit/projects/hooks.py).
        from tailorkit.projects import hooks

        from . import views_steps

        hooks.register(hooks.STEP_CONSULTATIONS, views_steps.step_panel)
        hooks.register(hooks.STAKEHOLDER_BARRIER_RATINGS, views_steps.barrier_figures)
        hooks.register(hooks.STAKEHOLDER_APPRAISALS, views_steps.apease_figures)
