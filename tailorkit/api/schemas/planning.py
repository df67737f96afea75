"""Step 3 of the tailoring cycle: the specification of the chosen strategy, tasks and success
criteria."""

from datetime import date
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import create_model

from tailorkit.projects.models import SPEC_FIELDS, Specification, SuccessCriterion, Task

from .common import Email, In, Version, choices, model_text
from .organisations import PersonOut


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


# Fifteen text fields, each bounded by its own model field: built from the model rather than
# written out, so a changed limit in the model cannot drift from the API.
SpecificationIn = create_model(
    "SpecificationIn", __base__=In,
    __doc__="TIDieR items and Proctor's dimensions, one field where they ask the same thing: `why` is also "
            "Proctor's justification, `who_provides` the actor, `when_how_much` the temporality and the dose. "
            "Fields left out stay as they are.",
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
