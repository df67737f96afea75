"""What the step routes read and return (issue 3, point 11): goals, barriers, ratings, focus,
strategy options and their appraisal, the choice, the specification, tasks, success criteria,
reviews, decisions and effort.

Every input is bounded so that no value can reach the database as something it refuses (a server
error): text lengths come from the models themselves, text refuses NUL characters (PostgreSQL
cannot store them) and anything that is not valid Unicode, ratings are whole numbers from 1 to 5,
ids are positive and fit the database. Unknown keys are refused, so that a misspelt field in a
PATCH is a 422 instead of a change that silently did not happen.
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, RootModel, create_model

from tailorkit.projects.models import (
    APEASE,
    PROCTOR_FIELDS,
    TIDIER_FIELDS,
    Barrier,
    Decision,
    EffortEntry,
    Goal,
    Iteration,
    Judgement,
    Review,
    Specification,
    Step,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.projects.services.effort import MAX_MINUTES

from .schemas import Code
from .schemas_projects import DecisionOut, Email, PackSlug, PersonOut, text

# Row ids and version numbers: positive, and well inside the 64-bit range of the database's keys.
Id = Annotated[int, Field(ge=1, le=2**31)]
Version = Annotated[int, Field(ge=0, le=2**31, description="The version you read; a stale one is refused with 409.")]
Rating = Annotated[int, Field(ge=1, le=5)]
MAX_ROWS = 500  # ids or rows in one request; far above any real project


def model_text(model, name, min_length=0):
    """Free text bounded by the model field's own ``max_length``."""
    return text(model._meta.get_field(name).max_length, min_length)


def choices(values):
    return Literal[tuple(values)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ItemKey(In):
    pack: PackSlug = Field(..., description="Short name of the content pack.")
    code: Code = Field(..., description="The item's code in that pack.")


# ---- step 1 --------------------------------------------------------------------------------------

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


# ---- step 2 --------------------------------------------------------------------------------------

class OptionIn(In):
    """Either ``item`` (a strategy of the project's own catalogue) or ``name`` and ``description``."""

    barrier_id: Id
    item: ItemKey | None = None
    name: model_text(StrategyOption, "custom_name") | None = None
    description: model_text(StrategyOption, "description") = ""


class OptionPatch(In):
    version: Version
    description: model_text(StrategyOption, "description") | None = None
    name: model_text(StrategyOption, "custom_name") | None = Field(None, description="Custom strategies only.")


class CriterionAppraisalIn(In):
    rating: Rating | None = Field(None, description="1 (poor) to 5 (good); null for not rated.")
    note: text(2000) = ""
    version: Version = Field(0, description="The version you read; 0 for a criterion not appraised yet.")


def _apease_field(code):
    return Field(None, alias=code, description=f"The appraisal on {code}; left out, it stays as it is.")


class AppraisalIn(In):
    """The APEASE criteria (Michie, Atkins & West 2014) to save; the others stay as they are."""

    acceptability: CriterionAppraisalIn | None = _apease_field("acceptability")
    practicability: CriterionAppraisalIn | None = _apease_field("practicability")
    effectiveness: CriterionAppraisalIn | None = _apease_field("effectiveness")
    affordability: CriterionAppraisalIn | None = _apease_field("affordability")
    side_effects: CriterionAppraisalIn | None = _apease_field("side-effects")
    equity: CriterionAppraisalIn | None = _apease_field("equity")

    def given(self):
        """{criterion code: CriterionAppraisalIn} of the criteria in the request."""
        return {c: getattr(self, c.replace("-", "_")) for c in APEASE if getattr(self, c.replace("-", "_"))}


class AppraisalStateOut(Schema):
    criterion: str
    rating: int | None
    note: str
    version: int


class ChoiceIn(In):
    version: Version
    option_id: Id
    justification: model_text(Iteration, "choice_justification", 1)


# ---- step 3 --------------------------------------------------------------------------------------

SPEC_FIELDS = list(TIDIER_FIELDS) + list(PROCTOR_FIELDS)


# Nineteen text fields, each bounded by its own model field: built from the model rather than
# written out, so a changed limit in the model cannot drift from the API.
SpecificationIn = create_model(
    "SpecificationIn", __base__=In,
    __doc__="TIDieR items and Proctor's dimensions; the ones left out stay as they are.",
    version=(Version, Field(..., description="The version you read; 0 to write the first specification.")),
    **{name: (model_text(Specification, name) | None, None) for name in SPEC_FIELDS},
)
SpecificationOut = create_model(
    "SpecificationOut", __base__=Schema, version=(int, ...), **{name: (str, ...) for name in SPEC_FIELDS})


TaskStatus = choices(Task.Status.values)


class TaskIn(In):
    title: model_text(Task, "title", 1)
    owner: Email | None = Field(None, description="Email address of a member of the project team.")
    due_date: date | None = None
    status: TaskStatus = Task.Status.TODO.value


class TaskPatch(In):
    version: Version
    title: model_text(Task, "title", 1) | None = None
    owner: Email | None = Field(None, description="Email address of a team member; null for nobody.")
    due_date: date | None = None
    status: TaskStatus | None = None


TargetValue = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


class CriterionIn(In):
    description: model_text(SuccessCriterion, "description", 1)
    target_value: TargetValue | None = None
    target_unit: model_text(SuccessCriterion, "target_unit") = ""
    target_date: date | None = None


class CriterionPatch(In):
    version: Version
    description: model_text(SuccessCriterion, "description", 1) | None = None
    target_value: TargetValue | None = None
    target_unit: model_text(SuccessCriterion, "target_unit") | None = None
    target_date: date | None = None


# ---- step 4 --------------------------------------------------------------------------------------

class JudgementIn(In):
    criterion_id: Id
    verdict: choices(Judgement.Verdict.values) | None = Field(None, description="null: not judged.")
    evidence: model_text(Judgement, "evidence") = ""


class ReviewIn(In):
    review_date: date
    what_was_done: model_text(Review, "what_was_done", 1)
    evidence: model_text(Review, "evidence") = ""
    judgements: list[JudgementIn] = Field(default_factory=list, max_length=MAX_ROWS)


class ReviewPatch(In):
    version: Version
    review_date: date | None = None
    what_was_done: model_text(Review, "what_was_done", 1) | None = None
    evidence: model_text(Review, "evidence") | None = None
    judgements: list[JudgementIn] | None = Field(
        None, max_length=MAX_ROWS, description="Judgements to change; criteria left out stay as they are.")


class DecisionIn(In):
    kind: choices(Decision.Kind.values)
    reason: model_text(Decision, "reason") = Field("", description="Needed to go back or to stop for another reason.")
    review_id: Id | None = Field(None, description="The review of the current iteration it follows from.")


class DecisionRecordedOut(Schema):
    decision: DecisionOut
    new_iteration: int | None = Field(None, description="Number of the iteration a step back started.")
    step: str = Field(..., description="The project's step after the decision.")


# ---- effort --------------------------------------------------------------------------------------

class EffortIn(In):
    date: date
    minutes: Annotated[int, Field(ge=1, le=MAX_MINUTES)]
    activity: model_text(EffortEntry, "activity", 1)
    step: choices(Step.values)


class EffortEntryOut(Schema):
    id: int
    person: PersonOut
    date: date
    minutes: int
    step: str
    activity: str

    @staticmethod
    def resolve_person(obj):
        return obj.user


class MinutesOut(Schema):
    label: str
    minutes: int


class EffortOut(Schema):
    entries: list[EffortEntryOut]
    total_minutes: int
    by_person: list[MinutesOut]
    by_step: list[MinutesOut]
