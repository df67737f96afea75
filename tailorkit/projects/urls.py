"""Project URLs (``projects:<name>``), mounted at the site root: the personal home page ``/``, the
person's tasks, the help pages, and the pages of an organisation's projects under
``o/<org_slug>/projects/``.

The step pages accept ``?iteration=<number>`` to show an earlier iteration read-only; forms that
write into an iteration post to their URL with the same parameter, so that they are refused once
the iteration is no longer current.
"""

from django.urls import include, path

from .views import (
    consultations,
    custom_entries,
    engagement,
    goals,
    matching,
    measure_feeds,
    measures,
    outputs,
    personal,
    planning,
    projects,
    records,
    review,
    stakeholders,
)
from .views import help as help_pages

P = "<int:project_id>/"

app_name = "projects"

organisation_projects = [
    path("", projects.project_list, name="project_list"),
    path("consultations/", consultations.consultation_overview, name="consultation_overview"),
    path("stakeholders/", engagement.organisation_stakeholders, name="organisation_stakeholders"),
    path("new/", projects.project_create, name="project_create"),
    path("import/", outputs.project_import, name="project_import"),
    path("import/<uuid:import_id>/", outputs.project_import_status, name="project_import_status"),
    path(P, projects.project_home, name="project_home"),
    path(P + "edit/", projects.project_edit, name="project_edit"),
    path(P + "archive/", projects.project_archive, name="project_archive"),
    path(P + "reopen/", projects.project_reopen, name="project_reopen"),
    path(P + "guide/<str:step>/", projects.project_guide, name="project_guide"),
    path(P + "ask/<slug:step_template>/", stakeholders.consultation_from_step, name="project_consultation_create"),
    # Goals and barriers
    path(P + "goals/", goals.step_goals, name="project_step_goals"),
    path(P + "goals/new/", goals.goal_create, name="project_goal_create"),
    path(P + "goals/<int:goal_id>/edit/", goals.goal_edit, name="project_goal_edit"),
    path(P + "goals/<int:goal_id>/delete/", goals.goal_delete, name="project_goal_delete"),
    path(P + "goals/barriers/add/", goals.barrier_add, name="project_barrier_add"),
    path(P + "goals/barriers/custom/", goals.barrier_custom, name="project_barrier_custom"),
    path(P + "goals/barriers/<int:barrier_id>/edit/", goals.barrier_edit, name="project_barrier_edit"),
    path(P + "goals/barriers/<int:barrier_id>/delete/", goals.barrier_delete, name="project_barrier_delete"),
    path(P + "goals/barriers/<int:barrier_id>/link/", custom_entries.barrier_link, name="project_barrier_link"),
    path(P + "goals/barriers/<int:barrier_id>/keep/", custom_entries.barrier_keep, name="project_barrier_keep"),
    path(P + "goals/ratings/", goals.ratings_save, name="project_ratings_save"),
    path(P + "goals/focus/", goals.focus_set, name="project_focus_set"),
    # Matching strategies
    path(P + "strategies/", matching.step_match, name="project_step_match"),
    path(P + "strategies/barriers/<int:barrier_id>/catalogue/", matching.catalogue, name="project_strategy_catalogue"),
    path(P + "strategies/barriers/<int:barrier_id>/add/", matching.option_add, name="project_option_add"),
    path(P + "strategies/barriers/<int:barrier_id>/custom/", matching.option_custom, name="project_option_custom"),
    path(P + "strategies/options/<int:option_id>/edit/", matching.option_edit, name="project_option_edit"),
    path(P + "strategies/options/<int:option_id>/appraise/", matching.option_appraise, name="project_option_appraise"),
    path(P + "strategies/options/<int:option_id>/delete/", matching.option_delete, name="project_option_delete"),
    path(P + "strategies/options/<int:option_id>/link/", custom_entries.option_link, name="project_option_link"),
    path(P + "strategies/options/<int:option_id>/keep/", custom_entries.option_keep, name="project_option_keep"),
    path(P + "strategies/options/<int:option_id>/choose/", matching.option_choose, name="project_option_choose"),
    # Design and plan
    path(P + "plan/", planning.plan, name="project_step_plan"),
    path(P + "plan/ready/", planning.plan_ready, name="project_plan_ready"),
    path(P + "plan/tasks/new/", planning.task_create, name="project_task_create"),
    path(P + "plan/tasks/<int:task_id>/edit/", planning.task_edit, name="project_task_edit"),
    path(P + "plan/tasks/<int:task_id>/status/", planning.task_status, name="project_task_status"),
    path(P + "plan/tasks/<int:task_id>/delete/", planning.task_delete, name="project_task_delete"),
    path(P + "plan/criteria/new/", planning.criterion_create, name="project_criterion_create"),
    path(P + "plan/criteria/<int:criterion_id>/edit/", planning.criterion_edit, name="project_criterion_edit"),
    path(P + "plan/criteria/<int:criterion_id>/delete/", planning.criterion_delete, name="project_criterion_delete"),
    # Apply and review
    path(P + "review/", review.review, name="project_step_review"),
    path(P + "review/new/", review.review_create, name="project_review_create"),
    path(P + "review/<int:review_id>/edit/", review.review_edit, name="project_review_edit"),
    path(P + "review/decide/", review.decision_create, name="project_decision_create"),
    # The measures the project relies on (issue 13)
    path(P + "measures/", measures.project_measures, name="project_measures"),
    path(P + "measures/<int:measure_id>/unlink/", measures.project_measure_unlink, name="project_measure_unlink"),
    # Stakeholders: the map, the engagement plan of each step and what came of it (issue 17)
    path(P + "stakeholders/", engagement.stakeholder_map, name="project_stakeholders"),
    path(P + "stakeholders/groups/new/", engagement.group_create, name="project_group_create"),
    path(P + "stakeholders/groups/copy/", engagement.groups_copy, name="project_groups_copy"),
    path(P + "stakeholders/groups/<int:group_id>/edit/", engagement.group_edit, name="project_group_edit"),
    path(P + "stakeholders/groups/<int:group_id>/remove/", engagement.group_remove, name="project_group_remove"),
    path(P + "stakeholders/groups/<int:group_id>/people/new/", engagement.person_add, name="project_person_add"),
    path(P + "stakeholders/people/<int:person_id>/erase/", engagement.person_erase, name="project_person_erase"),
    path(P + "engagement/", engagement.engagement, name="project_engagement"),
    path(P + "engagement/plans/new/", engagement.plan_create, name="project_plan_create"),
    path(P + "engagement/plans/<int:plan_id>/edit/", engagement.plan_edit, name="project_plan_edit"),
    path(P + "engagement/plans/<int:plan_id>/delete/", engagement.plan_delete, name="project_plan_delete"),
    path(P + "engagement/records/new/", engagement.record_create, name="project_record_create"),
    path(P + "engagement/records/<int:record_id>/", engagement.record_detail, name="project_record"),
    path(P + "engagement/records/<int:record_id>/edit/", engagement.record_edit, name="project_record_edit"),
    path(P + "engagement/records/<int:record_id>/delete/", engagement.record_delete, name="project_record_delete"),
    # The project's record and outputs
    path(P + "summary/", outputs.project_summary, name="project_summary"),
    path(P + "summary.pdf", outputs.project_summary_pdf, name="project_summary_pdf"),
    path(P + "export.json", outputs.project_export, name="project_export"),
    path(P + "timeline/", records.project_timeline, name="project_timeline"),
    path(P + "as-of/", records.project_as_of, name="project_as_of"),
    path(P + "effort/", records.project_effort, name="project_effort"),
    path(P + "effort/<int:entry_id>/delete/", records.project_effort_delete, name="project_effort_delete"),
]

urlpatterns = [
    path("", personal.home, name="home"),
    path("my-tasks/", personal.my_tasks, name="my_tasks"),
    path("help/", help_pages.help_index, name="help"),
    path("help/<slug:topic>/", help_pages.help_topic, name="help_topic"),
    path("o/<slug:org_slug>/projects/", include(organisation_projects)),
    # A measure fed by a survey's instrument scores (``measure_feeds``: the glue between the engines)
    path("o/<slug:org_slug>/measures/<int:measure_id>/feed/", measure_feeds.measure_feed, name="measure_feed"),
    path("o/<slug:org_slug>/measures/<int:measure_id>/feed/refresh/", measure_feeds.measure_feed_refresh,
         name="measure_feed_refresh"),
]
