"""Test data for steps 3 and 4 (no tests here). Steps 1/2 are built with the ORM directly, so these
tests do not depend on the step 1/2 services."""

import datetime

from django.urls import reverse

from tailorkit.projects.models import Barrier, Focus, Goal, Iteration, StrategyOption, SuccessCriterion, Task


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
