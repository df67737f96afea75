"""Projects: a project's details and team, an iteration of the tailoring cycle, and the whole
project with every step object (built from the step areas' own shapes)."""

from datetime import date, datetime

from ninja import Field, Schema

from tailorkit.projects.selectors.iterations import ROWS_IN_ITERATION
from tailorkit.projects.selectors.projects import ITERATIONS_IN_DETAIL
from tailorkit.projects.services.projects import REOPEN_REASON_MAX

from .common import Email, In, PackSlug, Version, text
from .goals import BarrierOut, GoalOut
from .matching import OptionOut
from .organisations import PersonOut
from .planning import CriterionOut, TaskOut
from .review import DecisionOut, ReviewOut


class IterationOut(Schema):
    id: int
    number: int
    back_to: str
    started_at: datetime
    focus_goal_ids: list[int]
    focus_barrier_ids: list[int]
    focus_reason: str
    chosen_option_id: int | None
    choice_justification: str
    specification: dict[str, str] | None = Field(None, description="TIDieR items and Proctor's dimensions.")
    tasks: list[TaskOut] = Field(description=(
        f"The plan's tasks, by due date: the first {ROWS_IN_ITERATION}; ``tasks_url`` pages through all of them."))
    tasks_count: int = Field(description="How many tasks the iteration has.")
    tasks_url: str = Field(description="The address of all the iteration's tasks, a page at a time.")
    criteria: list[CriterionOut] = Field(description=(
        f"The success criteria, oldest first: the first {ROWS_IN_ITERATION}; ``criteria_url`` pages through all."))
    criteria_count: int = Field(description="How many success criteria the iteration has.")
    criteria_url: str = Field(description="The address of all the iteration's success criteria, a page at a time.")
    reviews: list[ReviewOut]
    decisions: list[DecisionOut]
    version: int

    @staticmethod
    def resolve_focus_goal_ids(obj):
        return [f.goal_id for f in obj.focus.all() if f.goal_id]

    @staticmethod
    def resolve_focus_barrier_ids(obj):
        return [f.barrier_id for f in obj.focus.all() if f.barrier_id]

    @staticmethod
    def resolve_specification(obj):
        from tailorkit.projects.models import PROCTOR_FIELDS, TIDIER_FIELDS

        spec = getattr(obj, "specification", None)
        if spec is None:
            return None
        return {name: getattr(spec, name) for name in list(TIDIER_FIELDS) + list(PROCTOR_FIELDS)}

    @staticmethod
    def resolve_tasks(obj):
        return obj.first_tasks  # read by selectors.iterations.iteration_queryset

    @staticmethod
    def resolve_criteria(obj):
        return obj.first_criteria

    @staticmethod
    def resolve_tasks_count(obj):
        return obj.n_tasks

    @staticmethod
    def resolve_criteria_count(obj):
        return obj.n_criteria

    @staticmethod
    def resolve_tasks_url(obj, context):
        return _iteration_address(obj, context, "tasks")

    @staticmethod
    def resolve_criteria_url(obj, context):
        return _iteration_address(obj, context, "criteria")


def _iteration_address(obj, context, part):
    # Every route that answers with an iteration has the organisation and the project in its path.
    request = context["request"]
    org_slug = request.resolver_match.kwargs["org_slug"]
    return request.build_absolute_uri(
        f"/api/organisations/{org_slug}/projects/{obj.project_id}/iterations/{obj.number}/{part}")

    @staticmethod
    def resolve_reviews(obj):
        return list(obj.reviews.all())

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.all())


class ProjectOut(Schema):
    id: int
    name: str
    service: str
    step: str
    status: str
    owner: PersonOut
    team: list[PersonOut]
    determinant_pack: str
    strategy_pack: str
    started_on: date
    last_activity_at: datetime
    version: int

    @staticmethod
    def resolve_team(obj):
        # A list read with the project (``project_list_queryset``): no related manager and query set
        # made per project, which cost a page of 100 projects more than reading the rows.
        members = getattr(obj, "team_members", None)
        return members if members is not None else list(obj.team.all())

    @staticmethod
    def resolve_determinant_pack(obj):
        return obj.determinant_pack.slug

    @staticmethod
    def resolve_strategy_pack(obj):
        return obj.strategy_pack.slug


class IterationLinkOut(Schema):
    """An iteration named by its number, without its contents; ``url`` reads it in full."""

    id: int
    number: int
    back_to: str
    started_at: datetime
    url: str = Field(description="The address of this iteration with everything in it.")

    @staticmethod
    def resolve_url(obj, context):
        request = context["request"]
        return request.build_absolute_uri(f"{request.path.rstrip('/')}/iterations/{obj.number}")


class ProjectDetailOut(ProjectOut):
    goals: list[GoalOut]
    barriers: list[BarrierOut]
    options: list[OptionOut]
    current_iteration: IterationOut | None = Field(description=(
        "The iteration the project is in (the newest), with its focus, choice, plan, reviews and decisions."))
    recent_iterations: list[IterationLinkOut] = Field(description=(
        f"The newest {ITERATIONS_IN_DETAIL} iterations at most, oldest first (the current one is the last), "
        "without their contents: each ``url`` reads one in full, ``iterations_url`` pages through all of them "
        "in full."))
    iterations_count: int = Field(description="How many iterations the project has.")
    iterations_url: str = Field(description="The address of the project's iterations in full, a page at a time.")

    @staticmethod
    def resolve_goals(obj):
        return list(obj.goals.all())

    @staticmethod
    def resolve_barriers(obj):
        return list(obj.barriers.all())

    @staticmethod
    def resolve_options(obj):
        return list(obj.strategyoptions.all())

    @staticmethod
    def resolve_current_iteration(obj):
        return obj.current_iteration_in_full

    @staticmethod
    def resolve_recent_iterations(obj):
        return obj.latest_iterations[::-1]

    @staticmethod
    def resolve_iterations_count(obj):
        return obj.n_iterations

    @staticmethod
    def resolve_iterations_url(obj, context):
        request = context["request"]
        return request.build_absolute_uri(f"{request.path.rstrip('/')}/iterations")


class ProjectIn(Schema):
    name: text(200, 1)
    service: text(300, 1)
    determinant_pack: PackSlug
    strategy_pack: PackSlug
    team: list[Email] = Field(default_factory=list, description="Email addresses of leads or core team members.",
                              max_length=200)
    started_on: date | None = None


class ProjectReopenIn(In):
    reason: text(REOPEN_REASON_MAX) = Field("", description="Why it is reopened (optional); shown in the timeline.")
    version: Version | None = Field(None, description="The project's version you read, if you want a stale "
                                                      "view refused with 409.")


class ProjectPatch(Schema):
    version: Version
    name: text(200, 1) | None = None
    service: text(300, 1) | None = None
    team: list[Email] | None = Field(None, max_length=200)
    started_on: date | None = None
