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
