"""Shapes of projects and their step objects in the API (issue 3, point 11)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from .schemas import PersonOut


def text(max_length, min_length=0):
    """Free text for a write: PostgreSQL refuses NUL characters, so they are bad input (422)."""
    return Annotated[str, StringConstraints(pattern=r"^[^\x00]*$", max_length=max_length, min_length=min_length)]


Email = Annotated[str, StringConstraints(pattern=r"^[^\x00\s]+@[^\x00\s]+$", max_length=254)]
PackSlug = Annotated[str, StringConstraints(pattern=r"^[-a-zA-Z0-9_]+$", max_length=80)]


class ItemRef(Schema):
    pack: str
    code: str
    name: str


def item_ref(item):
    return None if item is None else ItemRef(pack=item.pack.slug, code=item.code, name=item.name)


class GoalOut(Schema):
    id: int
    target_group: str
    end_goal: str
    emphasis: str
    version: int


class RatingSummary(Schema):
    n: int
    mean_importance: float | None
    mean_changeability: float | None


class BarrierOut(Schema):
    id: int
    name: str
    item: ItemRef | None
    custom_name: str
    custom_category: str
    notes: str
    version: int
    team_rating: RatingSummary

    @staticmethod
    def resolve_item(obj):
        return item_ref(obj.item)

    @staticmethod
    def resolve_team_rating(obj):
        ratings = list(obj.ratings.all())
        n = len(ratings)
        return RatingSummary(
            n=n,
            mean_importance=round(sum(r.importance for r in ratings) / n, 2) if n else None,
            mean_changeability=round(sum(r.changeability for r in ratings) / n, 2) if n else None,
        )


class AppraisalOut(Schema):
    criterion: str
    rating: int | None
    note: str
    version: int


class OptionOut(Schema):
    id: int
    barrier_id: int
    name: str
    item: ItemRef | None
    custom_name: str
    description: str
    version: int
    appraisals: list[AppraisalOut]

    @staticmethod
    def resolve_item(obj):
        return item_ref(obj.item)

    @staticmethod
    def resolve_appraisals(obj):
        return list(obj.appraisals.all())


class TaskOut(Schema):
    id: int
    title: str
    owner: PersonOut | None
    due_date: date | None
    status: str
    version: int


class CriterionOut(Schema):
    id: int
    description: str
    target_value: Decimal | None
    target_unit: str
    target_date: date | None
    version: int


class JudgementOut(Schema):
    criterion_id: int
    verdict: str
    evidence: str


class ReviewOut(Schema):
    id: int
    review_date: date
    what_was_done: str
    evidence: str
    version: int
    judgements: list[JudgementOut]

    @staticmethod
    def resolve_judgements(obj):
        return list(obj.judgements.all())


class DecisionOut(Schema):
    id: int
    kind: str
    reason: str
    decided_at: datetime
    decided_by: PersonOut | None


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
    tasks: list[TaskOut]
    criteria: list[CriterionOut]
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
        return list(obj.tasks.all())

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())

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
        return list(obj.team.all())

    @staticmethod
    def resolve_determinant_pack(obj):
        return obj.determinant_pack.slug

    @staticmethod
    def resolve_strategy_pack(obj):
        return obj.strategy_pack.slug


class ProjectDetailOut(ProjectOut):
    goals: list[GoalOut]
    barriers: list[BarrierOut]
    options: list[OptionOut]
    iterations: list[IterationOut]

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
    def resolve_iterations(obj):
        return list(obj.iterations.all())


class ProjectIn(Schema):
    name: text(200, 1)
    service: text(300, 1)
    determinant_pack: PackSlug
    strategy_pack: PackSlug
    team: list[Email] = Field(default_factory=list, description="Email addresses of leads or core team members.",
                              max_length=200)
    started_on: date | None = None


class ProjectPatch(Schema):
    version: int = Field(..., ge=0, le=2**31, description="The version you read; a stale one is refused with 409.")
    name: text(200, 1) | None = None
    service: text(300, 1) | None = None
    team: list[Email] | None = Field(None, max_length=200)
    started_on: date | None = None


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Messages per field.")


class ConflictOut(Schema):
    detail: str
    current: dict = Field(..., description="The object as it is now saved.")
