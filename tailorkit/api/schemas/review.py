"""Step 4 of the tailoring cycle: reviews with a judgement per success criterion, and the decision
on what comes next."""

from datetime import date, datetime

from ninja import Field, Schema

from tailorkit.projects.models import Decision, Judgement, Review

from .common import MAX_ROWS, Id, In, Version, choices, model_text
from .organisations import PersonOut


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
    status: str = Field(..., description="The project's status after the decision: a stop makes it "
                                         "'completed' (the strategy worked) or 'stopped' (another reason).")
