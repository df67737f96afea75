"""Step 1 (goals and barriers) and step 2 (match strategies), mounted at o/<org>/projects/<id>/."""

from django.urls import path

from .views import step1, step2

urlpatterns = [
    # Step 1
    path("goals/", step1.step_goals, name="project_step_goals"),
    path("goals/new/", step1.goal_create, name="project_goal_create"),
    path("goals/<int:goal_id>/edit/", step1.goal_edit, name="project_goal_edit"),
    path("goals/<int:goal_id>/delete/", step1.goal_delete, name="project_goal_delete"),
    path("goals/barriers/add/", step1.barrier_add, name="project_barrier_add"),
    path("goals/barriers/custom/", step1.barrier_custom, name="project_barrier_custom"),
    path("goals/barriers/<int:barrier_id>/edit/", step1.barrier_edit, name="project_barrier_edit"),
    path("goals/barriers/<int:barrier_id>/delete/", step1.barrier_delete, name="project_barrier_delete"),
    path("goals/ratings/", step1.ratings_save, name="project_ratings_save"),
    path("goals/focus/", step1.focus_set, name="project_focus_set"),
    # Step 2
    path("strategies/", step2.step_match, name="project_step_match"),
    path("strategies/barriers/<int:barrier_id>/catalogue/", step2.catalogue, name="project_strategy_catalogue"),
    path("strategies/barriers/<int:barrier_id>/add/", step2.option_add, name="project_option_add"),
    path("strategies/barriers/<int:barrier_id>/custom/", step2.option_custom, name="project_option_custom"),
    path("strategies/options/<int:option_id>/edit/", step2.option_edit, name="project_option_edit"),
    path("strategies/options/<int:option_id>/appraise/", step2.option_appraise, name="project_option_appraise"),
    path("strategies/options/<int:option_id>/delete/", step2.option_delete, name="project_option_delete"),
    path("strategies/options/<int:option_id>/choose/", step2.option_choose, name="project_option_choose"),
]
