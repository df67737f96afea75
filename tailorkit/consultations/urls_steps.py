"""One-click consultations from a project step. Included at the end of ``urls.py`` under
``o/<org_slug>/consultations/``."""

from django.urls import path

from . import views_steps

urlpatterns = [
    path("projects/<int:project_id>/ask/<slug:step_template>/", views_steps.consultation_from_step,
         name="project_consultation_create"),
]
