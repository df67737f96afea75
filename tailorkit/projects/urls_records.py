"""The project's record and outputs (issue 3, points 7, 9 and 10). Included at the projects root."""

from django.urls import path

from .views import outputs, records

P = "<int:project_id>/"

urlpatterns = [
    path(P + "summary/", outputs.project_summary, name="project_summary"),
    path(P + "summary.pdf", outputs.project_summary_pdf, name="project_summary_pdf"),
    path(P + "export.json", outputs.project_export, name="project_export"),
    path("import/", outputs.project_import, name="project_import"),
    path(P + "timeline/", records.project_timeline, name="project_timeline"),
    path(P + "as-of/", records.project_as_of, name="project_as_of"),
    path(P + "effort/", records.project_effort, name="project_effort"),
    path(P + "effort/<int:entry_id>/delete/", records.project_effort_delete, name="project_effort_delete"),
]
