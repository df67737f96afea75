"""Project URLs, mounted at o/<org_slug>/projects/. Each part of the cycle has its own module."""

from django.urls import include, path

from .views import projects, stakeholders

P = "<int:project_id>/"

app_name = "projects"

urlpatterns = [
    path("", projects.project_list, name="project_list"),
    path("new/", projects.project_create, name="project_create"),
    path(P, projects.project_home, name="project_home"),
    path(P + "edit/", projects.project_edit, name="project_edit"),
    path(P + "archive/", projects.project_archive, name="project_archive"),
    path(P + "guide/<str:step>/", projects.project_guide, name="project_guide"),
    path(P + "ask/<slug:step_template>/", stakeholders.consultation_from_step, name="project_consultation_create"),
    path(P, include("tailorkit.projects.urls_step12")),
    path(P, include("tailorkit.projects.urls_step34")),
    path("", include("tailorkit.projects.urls_records")),
]
