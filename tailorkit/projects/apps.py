from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "tailorkit.projects"
    label = "projects"
    verbose_name = _("Implementation projects")

    def ready(self):
        # The consultation pages link back to the project step a consultation was made for; the
        # engine cannot import projects, so projects tells it how (consultations/subjects.py).
        from tailorkit.consultations import subjects

        from .stakeholders import SUBJECT_TYPE, subject_link

        subjects.register(SUBJECT_TYPE, subject_link)
        subjects.register_overview("projects:consultation_overview")

        # The projects' events (iterations, strategies, tasks, decisions) on the charts of the measures
        # they rely on; the measures engine cannot import projects either (measures/events.py).
        from tailorkit.measures import events

        from .measure_events import project_events

        events.register(project_events)

        # Criteria tied to a measure whose date passed, on the overview of measures (measures/attention.py).
        from tailorkit.measures import attention

        from .measure_attention import criteria_past_due

        attention.register(criteria_past_due)

        # A project's consultation that closes adds a record to its engagement log (issue 17); the
        # engine tells the apps above through consultations/closings.py.
        from tailorkit.consultations import closings

        from .services.engagement import engagement_consultation_closed

        closings.register(engagement_consultation_closed)
