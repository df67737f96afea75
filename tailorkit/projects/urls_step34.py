from django.urls import path

from .views.placeholder import under_construction

urlpatterns = [
    path("plan/", under_construction, name="project_step_plan"),
    path("review/", under_construction, name="project_step_review"),
]
