"""Effort: time the team logs on a project, with totals by person and by step."""

from datetime import date
from typing import Annotated

from ninja import Field, Schema

from tailorkit.projects.models import EffortEntry, Step
from tailorkit.projects.services.effort import MAX_MINUTES

from .common import In, choices, model_text
from .organisations import PersonOut


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
    entries: list[EffortEntryOut] = Field(description="A page of the entries, the newest first.")
    entries_count: int = Field(description="How many entries there are in all.")
    next: str | None = Field(None, description="The address of the next page of entries; null on the last.")
    previous: str | None = Field(None, description="The address of the previous page of entries; null on the first.")
    total_minutes: int
    by_person: list[MinutesOut]
    by_step: list[MinutesOut]
