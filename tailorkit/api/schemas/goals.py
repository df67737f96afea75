"""Step 1 of the tailoring cycle: goals, barriers, the team's ratings of the barriers and the focus
of an iteration. Inputs are bounded as described in ``common`` (text by the model's own limits)."""

from typing import Annotated

from ninja import Field, Schema
from pydantic import RootModel

from tailorkit.projects.models import Barrier, Goal, Iteration

from .common import MAX_ROWS, Id, In, ItemKey, ItemRef, Version, model_text

Rating = Annotated[int, Field(ge=1, le=5)]


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
    def resolve_team_rating(obj):
        ratings = list(obj.ratings.all())
        n = len(ratings)
        return RatingSummary(
            n=n,
            mean_importance=round(sum(r.importance for r in ratings) / n, 2) if n else None,
            mean_changeability=round(sum(r.changeability for r in ratings) / n, 2) if n else None,
        )


class GoalIn(In):
    target_group: model_text(Goal, "target_group", 1)
    end_goal: model_text(Goal, "end_goal", 1)
    emphasis: model_text(Goal, "emphasis") = ""


class GoalPatch(In):
    version: Version
    target_group: model_text(Goal, "target_group", 1) | None = None
    end_goal: model_text(Goal, "end_goal", 1) | None = None
    emphasis: model_text(Goal, "emphasis") | None = None


class BarrierIn(In):
    """Either ``item`` (a determinant of the project's own list) or ``name`` and ``category``."""

    item: ItemKey | None = None
    name: model_text(Barrier, "custom_name") | None = None
    category: model_text(Barrier, "custom_category") | None = None
    notes: model_text(Barrier, "notes") = ""


class BarrierPatch(In):
    version: Version
    notes: model_text(Barrier, "notes") | None = None
    name: model_text(Barrier, "custom_name") | None = Field(None, description="Custom barriers only.")
    category: model_text(Barrier, "custom_category") | None = Field(None, description="Custom barriers only.")


class RatingIn(In):
    importance: Rating | None = None
    changeability: Rating | None = None


class RatingsIn(RootModel[Annotated[dict[Id, RatingIn], Field(max_length=MAX_ROWS)]]):
    """The caller's own ratings, by barrier id. Both values null leaves a barrier as it is."""


class MyRatingOut(Schema):
    importance: int
    changeability: int
    version: int


class RatingsOut(Schema):
    ratings: dict[int, MyRatingOut] = Field(..., description="The caller's own ratings, by barrier id.")


class FocusIn(In):
    version: Version
    goal_ids: list[Id] = Field(..., max_length=MAX_ROWS)
    barrier_ids: list[Id] = Field(..., max_length=MAX_ROWS)
    reason: model_text(Iteration, "focus_reason") = Field(
        "", description="Needed when more than one goal or barrier is chosen (“be focused”).")
