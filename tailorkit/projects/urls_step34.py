"""Step 3 (design and plan) and step 4 (apply and review). Mounted under <project_id>/.

Pages accept ``?iteration=<number>`` to show an earlier iteration read-only; create forms post to
their URL with the same parameter so that they are refused once the iteration is no longer current.
"""

from django.urls import path

from .views import step3, step4

urlpatterns = [
    path("plan/", step3.plan, name="project_step_plan"),
    path("plan/ready/", step3.plan_ready, name="project_plan_ready"),
    path("plan/tasks/new/", step3.task_create, name="project_task_create"),
    path("plan/tasks/<int:task_id>/edit/", step3.task_edit, name="project_task_edit"),
    path("plan/tasks/<int:task_id>/status/", step3.task_status, name="project_task_status"),
    path("plan/tasks/<int:task_id>/delete/", step3.task_delete, name="project_task_delete"),
    path("plan/criteria/new/", step3.criterion_create, name="project_criterion_create"),
    path("plan/criteria/<int:criterion_id>/edit/", step3.criterion_edit, name="project_criterion_edit"),
    path("plan/criteria/<int:criterion_id>/delete/", step3.criterion_delete, name="project_criterion_delete"),
    path("review/", step4.review, name="project_step_review"),
    path("review/new/", step4.review_create, name="project_review_create"),
    path("review/<int:review_id>/edit/", step4.review_edit, name="project_review_edit"),
    path("review/decide/", step4.decision_create, name="project_decision_create"),
]
