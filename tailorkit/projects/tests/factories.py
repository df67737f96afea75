"""Test data for the projects app (no tests here).

``sweep_values`` gives the URL parameters of every projects route, for the outsider sweep
(``tailorkit/tests/test_outsider_sweep_pages.py``). The helpers for planning and review build goals,
barriers and the choice with the ORM directly, so those tests do not depend on the goals and
matching services.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from tailorkit.library.tests.factories import tiny_library
from tailorkit.measures.models import Measure
from tailorkit.measures.tests import factories as measure_factories
from tailorkit.projects import steps
from tailorkit.projects.models import (
    Barrier,
    Focus,
    Goal,
    Iteration,
    ProjectImport,
    Step,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.projects.services import effort, engagement, goals, matching, planning, projects
from tailorkit.projects.services import measures as measure_services
from tailorkit.projects.services import review as review_services


def url(name, project, *args, iteration=None):
    u = reverse(name, args=[project.organisation.slug, project.pk, *args])
    return u + (f"?iteration={iteration}" if iteration is not None else "")


def choose_strategy(project, user, name="Audit and feedback"):
    """Give the project's current iteration a focus (one goal, one barrier) and a chosen option."""
    org = project.organisation
    iteration = project.iterations.order_by("-number").first()
    goal = Goal.objects.create(organisation=org, project=project, target_group="Adults with depression",
                               end_goal="More referrals to iCBT", created_by=user)
    barrier = Barrier.objects.create(organisation=org, project=project, custom_name="GPs forget to refer",
                                     custom_category="Referrers", created_by=user)
    option = StrategyOption.objects.create(organisation=org, project=project, barrier=barrier,
                                           custom_name=name, description="Monthly referral counts per GP")
    Focus.objects.create(organisation=org, iteration=iteration, goal=goal)
    Focus.objects.create(organisation=org, iteration=iteration, barrier=barrier)
    iteration.chosen_option = option
    iteration.choice_justification = "Cheap and acceptable"
    iteration.focus_reason = ""
    iteration.save()
    return iteration


def add_tasks(iteration, n, owner=None, status=Task.Status.TODO):
    return [Task.objects.create(organisation=iteration.organisation, project=iteration.project, iteration=iteration,
                                title=f"Task {i}", owner=owner, status=status,
                                due_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=i)) for i in range(n)]


def add_criteria(iteration, n):
    return [SuccessCriterion.objects.create(organisation=iteration.organisation, project=iteration.project,
                                            iteration=iteration, description=f"Criterion {i}",
                                            target_value=10 + i, target_unit="referrals") for i in range(n)]


def current(project):
    return Iteration.objects.filter(project=project).order_by("-number").first()


def tiny_packs():
    """A barrier list and a strategy catalogue (the library's tiny test packs; loading the real
    packs for every route of the sweep would make it slow)."""
    library = tiny_library(prefix="tiny")
    return {"determinants": library["determinants"], "strategies": library["strategies"]}


def sweep_values(org, user):
    """The URL parameters of the projects routes: a project of ``org`` led by ``user`` with one of
    every object a projects URL names (goal, barrier, option, task, criterion, review, effort
    entry of ``user``), a step, a step's consultation template and a project import of ``user``
    (waiting in the queue), and a measure of ``org`` the project relies on."""
    packs = tiny_packs()
    project = projects.project_create(organisation=org, user=user, name="Swept", service="iCBT", team=[user],
                                      determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])
    iteration = project.iterations.get()
    goal = goals.goal_create(project=project, user=user, target_group="Adults", end_goal="More patients")
    barrier = goals.barrier_add_custom(project=project, user=user, name="No rooms", category="Resources")
    option = matching.option_add_custom(project=project, user=user, barrier=barrier, name="Rooms", description="d")
    today = timezone.localdate()
    # The organisation's measure when the sweep made one (its upload and notes belong to it), else a new one.
    measure = (Measure.objects.filter(organisation=org).order_by("pk").first()
               or measure_factories.make_measure(org, user, name="Swept measure", values=[10, 12, 11]))
    measure_services.project_measure_link(project=project, user=user, measure=measure)
    group = engagement.stakeholder_group_create(project=project, user=user, name="Clinicians")
    return {
        # Stakeholder engagement (issue 17): a group with a named person, a plan and a record.
        "group_id": group.pk,
        "person_id": engagement.stakeholder_person_add(group=group, user=user, name="Dr Lee").pk,
        "plan_id": engagement.engagement_plan_add(project=project, iteration=iteration, user=user, step=Step.GOALS,
                                                  group=group, objective="learn", approach="meeting").pk,
        "record_id": engagement.engagement_record_add(project=project, iteration=iteration, user=user,
                                                      step=Step.GOALS, date=today, approach="meeting",
                                                      groups=[group], heard="They want shorter forms.").pk,
        "project_id": project.pk,
        "measure_id": measure.pk,  # linked to the project, so its unlink page has something to unlink
        "goal_id": goal.pk,
        "barrier_id": barrier.pk,
        "option_id": option.pk,
        "task_id": planning.task_create(iteration=iteration, user=user, title="Book rooms").pk,
        "criterion_id": planning.criterion_create(iteration=iteration, user=user, description="More referrals").pk,
        "review_id": review_services.review_create(iteration=iteration, user=user, review_date=today,
                                                   what_was_done="Booked").pk,
        # Only its author may delete an effort entry, so the entry is the lead's own.
        "entry_id": effort.effort_log(project=project, user=user, date=today, minutes=30, activity="Met",
                                      step=Step.GOALS).pk,
        "step": Step.GOALS,  # guidance pages exist for every step
        "topic": Step.PLAN,  # a help page (instance-wide: the outsider sweep lets everyone read it)
        "step_template": steps.get(Step.GOALS).consultation_template,
        # Only its uploader sees an import's status page.
        "import_id": ProjectImport.objects.create(organisation=org, created_by=user, file_name="swept.json").uuid,
    }


def migrate_projects_to(name):
    """Migrate the projects app to its migration ``name`` (every other app at its newest) and return
    the historical models of that state, for tests of data migrations. Call
    ``migrate_all_to_newest`` in a ``finally`` afterwards."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets = [("projects", name)]
    for leaf in graph.leaf_nodes():
        if leaf[0] == "projects":
            continue
        # An app above projects (support) whose migrations need projects' newest tables is taken
        # back to nothing meanwhile: Django cannot go back in projects and forward in it at once.
        needs_projects = any(node[0] == "projects" for node in graph.forwards_plan(leaf))
        targets.append((leaf[0], None) if needs_projects else leaf)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state([t for t in targets if t[1] is not None]).apps


def migrate_all_to_newest():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
