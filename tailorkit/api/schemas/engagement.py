"""Stakeholder engagement across the cycle (issue 17): the project's map of stakeholder groups (with
their named people, for the project team only), the plans of whom to involve in which step, the
records of what was done, and the picture of groups × steps. Inputs are bounded as described in
``common`` (text by the model's own limits)."""

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema

from tailorkit.projects.models import (
    EngagementChange,
    EngagementPlan,
    EngagementRecord,
    StakeholderGroup,
    StakeholderPerson,
    Step,
)
from tailorkit.projects.models.engagement import Approach, Objective

from .common import MAX_ROWS, Id, In, Version, choices, model_text
from .organisations import PersonOut

Rating = Annotated[int, Field(ge=1, le=5, description="1 = hardly at all, 5 = a great deal.")]


# ---- the stakeholder map ---------------------------------------------------------------------------

class StakeholderPersonOut(Schema):
    id: int
    name: str
    role: str
    contact: str


class StakeholderGroupRowOut(Schema):
    """A group as it is saved (the answer of a refused stale edit too): never its named people."""

    id: int
    name: str
    side: str
    relation: str
    affected: int
    influence: int
    notes: str
    removed_at: datetime | None = Field(None, description="When the group was taken off the map; null while on it.")
    version: int


class StakeholderGroupOut(StakeholderGroupRowOut):
    records_count: int = Field(description="How many records of what was done reached this group.")
    plans_count: int = Field(description="How many engagement plans name this group.")
    people: list[StakeholderPersonOut] | None = Field(
        None, description="Its named people: only for the project team (its owner and members); null for "
                          "everyone else.")

    @staticmethod
    def resolve_people(obj):
        # Set by the route from ``people_of``, which applies the one rule of who may see them;
        # the model's own ``people`` relation is never read here.
        return getattr(obj, "visible_people", None)


class StakeholderGroupsOut(Schema):
    items: list[StakeholderGroupOut] = Field(description="A page of the groups, by name.")
    count: int = Field(description="How many groups there are in all.")
    next: str | None = Field(None, description="The address of the next page; null on the last page.")
    previous: str | None = Field(None, description="The address of the previous page; null on the first.")


class StakeholderGroupIn(In):
    name: model_text(StakeholderGroup, "name", 1)
    side: choices(StakeholderGroup.Side.values) = StakeholderGroup.Side.INTERNAL.value
    relation: choices(StakeholderGroup.Relation.values) = StakeholderGroup.Relation.DELIVERS.value
    affected: Rating = Field(3, description="How much the service affects them: 1 = hardly at all, 5 = a great deal.")
    influence: Rating = Field(3, description="How much they can influence it: 1 = hardly at all, 5 = a great deal.")
    notes: model_text(StakeholderGroup, "notes") = ""


class StakeholderGroupPut(StakeholderGroupIn):
    """The whole group: fields left out take their defaults, as when it was made."""

    version: Version


class StakeholderGroupRemoveIn(In):
    version: Version


class StakeholderPersonIn(In):
    name: model_text(StakeholderPerson, "name", 1)
    role: model_text(StakeholderPerson, "role") = ""
    contact: model_text(StakeholderPerson, "contact") = Field("", description="How to reach them.")


# ---- plans -----------------------------------------------------------------------------------------

class GroupRefOut(Schema):
    id: int
    name: str
    removed: bool = Field(description="Taken off the map since (its plans and records keep it).")

    @staticmethod
    def resolve_removed(obj):
        return obj.removed_at is not None


class EngagementPlanOut(Schema):
    id: int
    iteration: int = Field(description="The number of the iteration the plan belongs to.")
    step: str
    group: GroupRefOut
    objective: str
    approach: str
    consultation_id: UUID | None = Field(None, description="The consultation made for it, if any.")
    note: str
    version: int

    @staticmethod
    def resolve_iteration(obj):
        return obj.iteration.number

    @staticmethod
    def resolve_consultation_id(obj):
        return obj.consultation.uuid if obj.consultation_id else None


class EngagementPlanIn(In):
    step: choices(Step.values)
    group_id: Id = Field(description="A group on the project's stakeholder map.")
    objective: choices(Objective.values) = Objective.LEARN.value
    approach: choices(Approach.values) = Approach.MEETING.value
    note: model_text(EngagementPlan, "note") = ""
    consultation_id: UUID | None = Field(None, description="A consultation of the organisation made for it.")


class EngagementPlanPut(EngagementPlanIn):
    """The whole plan: fields left out take their defaults, as when it was made."""

    version: Version


# ---- records of what was done ----------------------------------------------------------------------

class EngagementChangeOut(Schema):
    kind: str
    object_id: int
    label: str = Field(description="The item's name when the change was recorded (kept if it is deleted).")
    what: str


class EngagementRecordOut(Schema):
    id: int
    iteration: int = Field(description="The number of the iteration the record belongs to.")
    step: str
    date: date
    approach: str
    groups: list[GroupRefOut]
    people: int | None = Field(description="How many people took part, if known.")
    heard: str
    changed: str
    changes: list[EngagementChangeOut]
    consultation_id: UUID | None = Field(None, description="The consultation whose closing added this record.")
    created_by: PersonOut | None
    version: int

    @staticmethod
    def resolve_iteration(obj):
        return obj.iteration.number

    @staticmethod
    def resolve_groups(obj):
        return obj.groups.all()

    @staticmethod
    def resolve_changes(obj):
        return obj.changes.all()

    @staticmethod
    def resolve_consultation_id(obj):
        return obj.consultation.uuid if obj.consultation_id else None


class EngagementChangeIn(In):
    kind: choices(EngagementChange.Kind.values)
    object_id: Id = Field(description="The goal, barrier, strategy option, task or success criterion of the project.")
    what: choices(EngagementChange.What.values)


class EngagementRecordIn(In):
    """``date`` is when it was done: today or earlier."""

    step: choices(Step.values)
    date: date
    approach: choices(Approach.values) = Approach.MEETING.value
    group_ids: list[Id] = Field(max_length=MAX_ROWS, description="The groups of the map it reached (one at least).")
    people: Annotated[int, Field(ge=1, le=100_000)] | None = Field(None, description="How many people took part.")
    heard: model_text(EngagementRecord, "heard", 1)
    changed: model_text(EngagementRecord, "changed") = ""
    changes: list[EngagementChangeIn] | None = Field(
        None, max_length=MAX_ROWS, description="Items the team changed because of it.")


class EngagementRecordPut(EngagementRecordIn):
    """The whole record: fields left out take their defaults, except ``changes``: left out (or null)
    they stay as they are, and an empty list clears them."""

    version: Version


# ---- the picture of groups × steps -----------------------------------------------------------------

class GridCellOut(Schema):
    step: str
    planned: int = Field(description="How many plans name the group in this step.")
    done: int = Field(description="How many records reached the group in this step.")
    state: Literal["done", "planned", ""] = Field(description="done; planned (not yet done); or empty.")

    @staticmethod
    def resolve_step(obj):
        return obj["step"].code


class GridRowOut(Schema):
    id: int
    name: str
    removed: bool
    engaged: bool = Field(description="Reached at least once in some step.")
    cells: list[GridCellOut]

    @staticmethod
    def resolve_id(obj):
        return obj["group"].pk

    @staticmethod
    def resolve_name(obj):
        return obj["group"].name

    @staticmethod
    def resolve_removed(obj):
        return obj["group"].removed_at is not None


class EngagementGridOut(Schema):
    steps: list[str] = Field(description="The steps of the cycle, in order; each row has one cell per step.")
    rows: list[GridRowOut] = Field(description="The groups on the map, and removed ones that were planned for or "
                                               "reached.")
    never_engaged: list[str] = Field(description="Names of the groups on the map not reached in any step yet.")

    @staticmethod
    def resolve_steps(obj):
        return [info.code for info in obj["steps"]]

    @staticmethod
    def resolve_never_engaged(obj):
        return [group.name for group in obj["never_engaged"]]
