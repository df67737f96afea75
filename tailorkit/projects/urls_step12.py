from django.urls import path

from .views.placeholder import under_construction

urlpatterns = [
    path("goals/", under_construction, name="project_step_goals"),
    path("strategies/", under_construction, name="project_step_match"),
]
