"""Bodies of the support log routes (issue 14, point 7)."""

from datetime import date, time

from ninja import Field, Schema

from tailorkit.support.models import Channel, FollowUp, SupportContact, SupportKind

from .common import MAX_ROWS, Id, In, ItemKey, ItemRef, Version, choices, model_text
from .organisations import PersonOut


class FollowUpOut(Schema):
    id: int
    what: str
    due_on: date
    done: bool


class SupportContactOut(Schema):
    id: int
    contact_on: date
    start_time: time | None
    minutes: int
    channel: str
    kind: str = Field(description="training (training and information), responsive (responsive help) or "
                                  "co_creation (co-creation with the team).")
    project_id: int | None
    people: str
    summary: str
    supporter: PersonOut
    competencies: list[ItemRef]
    strategies: list[ItemRef]
    follow_ups: list[FollowUpOut]
    version: int

    @staticmethod
    def resolve_competencies(obj):
        return obj.competencies.all()

    @staticmethod
    def resolve_strategies(obj):
        return obj.strategies.all()

    @staticmethod
    def resolve_follow_ups(obj):
        return obj.follow_ups.all()


class FollowUpIn(In):
    what: model_text(FollowUp, "what", 1)
    due_on: date


class SupportContactIn(In):
    """``contact_on`` is today or earlier; ``minutes`` 1 to 720. A contact that overlaps another of
    yours (by ``start_time``), or the same contact twice, is refused."""

    contact_on: date
    start_time: time | None = None
    minutes: int = Field(ge=-100_000, le=100_000, description="1 to 720; others are refused with a message.")
    channel: choices(Channel.values)
    kind: choices(SupportKind.values)
    project_id: Id | None = None
    people: model_text(SupportContact, "people") = ""
    summary: model_text(SupportContact, "summary", 1)
    competencies: list[ItemKey] = Field([], max_length=MAX_ROWS, description="Competencies of the Practice Guide "
                                                                                "(pack isp-practice-guide).")
    strategies: list[ItemKey] = Field([], max_length=MAX_ROWS, description="Items of a strategy catalogue.")
    follow_ups: list[FollowUpIn] = Field([], max_length=3, description="Next steps agreed, with their due dates.")


class SupportContactPut(In):
    """The whole contact (its next steps are ticked off with their own route)."""

    contact_on: date
    start_time: time | None = None
    minutes: int = Field(ge=-100_000, le=100_000)
    channel: choices(Channel.values)
    kind: choices(SupportKind.values)
    project_id: Id | None = None
    people: model_text(SupportContact, "people") = ""
    summary: model_text(SupportContact, "summary", 1)
    competencies: list[ItemKey] = Field([], max_length=MAX_ROWS)
    strategies: list[ItemKey] = Field([], max_length=MAX_ROWS)
    version: Version


class FollowUpDoneIn(In):
    done: bool
