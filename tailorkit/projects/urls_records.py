from django.urls import path

from .views.placeholder import under_construction

P = "<int:project_id>/"

urlpatterns = [
    path(P + "summary/", under_construction, name="project_summary"),
    path(P + "timeline/", under_construction, name="project_timeline"),
    path(P + "effort/", under_construction, name="project_effort"),
]
