"""What the consultation routes read and return (issue 4, point 10): questionnaires with their
sections and questions, consultations, invitations and results.

Every input is bounded so that nothing reaches the database as something it refuses (a server
error): text refuses NUL characters and anything that is not valid Unicode (the pattern makes
pydantic check both; PostgreSQL stores neither, in text or in JSON), numbers are finite and fit
their columns, dates stay well inside every database's range. Unknown keys are refused, so that a
misspelt field is a 422 instead of a setting that silently did not take. Rules of the domain (keys,
options, show-if conditions, addresses, groups, dates) are left to the services, which answer with
a 400 naming the field or row.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from tailorkit.consultations.models import Consultation, QuestionKind, RespondentGroup
from tailorkit.consultations.services.delivery import MAX_INVITATIONS_PER_BATCH
from tailorkit.consultations.services.results import TEXTS_PER_PAGE, TEXTS_PREVIEW

from .common import FieldErrorsOut, Id, In, text

Kind = Literal[tuple(QuestionKind.values)]
Group = Literal[tuple(RespondentGroup.values)]
Mode = Literal[tuple(Consultation.Mode.values)]
MAX_SECTIONS = 50
MAX_QUESTIONS = 300  # per questionnaire in one request; the builder pages have no lower limit
MAX_OPTIONS = 100


def _bounded_moment(value: datetime) -> datetime:
    # A naive time is read in the server's time zone, as the pages do. Years are kept between 1970
    # and 2999: a far-off offset could otherwise overflow when converted to UTC (a server error).
    if timezone.is_naive(value):
        if not 1970 < value.year < 3000:
            raise ValueError("Give a date between the years 1971 and 2999.")
        value = timezone.make_aware(value)
    if not 1970 < value.year < 3000:
        raise ValueError("Give a date between the years 1971 and 2999.")
    return value.astimezone(UTC)


Moment = Annotated[datetime, AfterValidator(_bounded_moment)]


# ---- questionnaires ----------------------------------------------------------------------------

class QuestionOptionIn(In):
    value: text(40, 1) = Field(..., description="The stable code stored and exported for this option.")
    label: text(200, 1) = Field(..., description="What respondents read.")


class ShowIfIn(In):
    question: text(60, 1) = Field(..., description="Key of an earlier choice or scale question.")
    equals: text(40) | None = Field(None, description="Show when that question was answered with this code …")
    in_: list[text(40)] | None = Field(None, alias="in", max_length=MAX_OPTIONS,
                                       description="… or with any of these codes.")


class QuestionIn(In):
    key: text(60) = Field("", description="Short code naming the question in results and exports; made from "
                                          "the text when left empty.")
    kind: Kind
    text: text(5000, 1)
    help_text: text(5000) = ""
    options: list[QuestionOptionIn] = Field(default_factory=list, max_length=MAX_OPTIONS,
                                    description="Single, multiple choice and ranking: at least two. Agreement "
                                                "scales: optional labels for the points \"1\"…")
    required: bool = False
    allow_not_relevant: bool = False
    show_if: ShowIfIn | None = None
    min_value: float | None = Field(None, allow_inf_nan=False, ge=-1e15, le=1e15)
    max_value: float | None = Field(None, allow_inf_nan=False, ge=-1e15, le=1e15)
    min_label: text(100) = ""
    max_label: text(100) = ""


class SectionIn(In):
    title: text(200, 1)
    intro: text(5000) = ""
    questions: list[QuestionIn] = Field(default_factory=list, max_length=MAX_QUESTIONS)


class QuestionnaireIn(In):
    title: text(200, 1)
    description: text(5000) = ""
    sections: list[SectionIn] = Field(..., min_length=1, max_length=MAX_SECTIONS)


class QuestionOut(Schema):
    id: int
    key: str
    kind: str
    text: str
    help_text: str
    options: list[dict[str, Any]]
    required: bool
    allow_not_relevant: bool
    show_if: dict[str, Any] = Field(..., description="Empty when the question is always shown.")
    min_value: float | None
    max_value: float | None
    min_label: str
    max_label: str


class SectionOut(Schema):
    id: int
    title: str
    intro: str
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj):
        return list(obj.questions.all())


class QuestionnaireOut(Schema):
    id: int
    title: str
    description: str
    instrument: str
    version: int | None = Field(None, description="Number of the latest frozen version respondents answer.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_version(obj):
        # The model's own ``version`` counts edits (optimistic locking); this field has always
        # meant the frozen version number, so it keeps that meaning.
        return getattr(obj, "latest_number", None)


class QuestionnaireDetailOut(QuestionnaireOut):
    sections: list[SectionOut]

    @staticmethod
    def resolve_sections(obj):
        return list(obj.sections.all())


# ---- consultations -----------------------------------------------------------------------------

class ConsultationIn(In):
    questionnaire_id: Id
    title: text(200, 1)
    purpose: text(5000) = ""
    mode: Mode = Consultation.Mode.INVITATIONS.value
    anonymous: bool = True
    access_code: text(100) | None = Field(None, description="Open link only: a code respondents must enter.")
    opens_at: Moment | None = Field(None, description="Now when left out.")
    closes_at: Moment | None = None
    response_limit: int | None = Field(None, ge=1, le=2**31 - 1)
    min_group_size: int = Field(5, ge=1, le=10_000, description="Results of smaller groups are withheld.")
    groups: list[Group] = Field(default_factory=list, max_length=len(RespondentGroup.values),
                                description="Groups an open-link respondent chooses from.")
    reminder_days: list[int] = Field(default_factory=list, max_length=10,
                                     description="Reminders this many days after the invitation (1–90).")


class InvitationCounts(Schema):
    sent: int = Field(..., description="Invited, link not opened yet.")
    opened: int
    completed: int


class ConsultationOut(Schema):
    id: UUID
    title: str
    purpose: str
    questionnaire_id: int
    mode: str
    anonymous: bool
    has_access_code: bool
    status: Literal["scheduled", "open", "closed"]
    opens_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    response_limit: int | None
    min_group_size: int
    groups: list[str]
    reminder_days: list[int]
    round: int
    created_at: datetime
    responses: int
    invitations: InvitationCounts


class ConsultationCreatedOut(Schema):
    consultation: ConsultationOut
    open_link_url: str | None = Field(None, description="Open-link mode only, and only in this answer: the "
                                                        "server keeps just a hash of the link.")


# ---- invitations -------------------------------------------------------------------------------

class InvitationIn(In):
    # Plain bounded text, not an address type: a wrong address is a 400 naming its row, from the
    # same check the pages use, rather than a 422 from the schema.
    email: text(254)
    group: text(40) = Field("", description="One of: " + ", ".join(RespondentGroup.values) + "; or empty.")


class InvitationsIn(In):
    invitations: list[InvitationIn] = Field(..., min_length=1, max_length=MAX_INVITATIONS_PER_BATCH)


class RowErrorOut(Schema):
    index: int = Field(..., description="Position of the row in `invitations`, from 0.")
    messages: list[str]


class InvitationErrorsOut(FieldErrorsOut):
    rows: list[RowErrorOut] = Field(default_factory=list, description="The rows that are wrong; nobody was "
                                                                      "invited.")


class InvitationsSentOut(Schema):
    invited: int
    counts: InvitationCounts


class InvitationOut(Schema):
    """An invitation's status. Nothing here points to a response: in anonymous consultations no
    such link exists, and in identified ones it stays in the exports."""

    id: UUID
    group: str
    status: str
    sent_at: datetime | None
    opened_at: datetime | None
    completed_at: datetime | None
    reminders_sent: int
    erased: bool


# ---- results -----------------------------------------------------------------------------------

class ChoiceCount(Schema):
    value: str
    label: str
    count: int
    percent: float


class RankOut(Schema):
    value: str
    label: str
    mean_rank: float
    first: int = Field(..., description="How many put it first.")


class MeanOut(Schema):
    n: int
    mean: float | None = None
    ci_low: float | None = Field(None, description="95% confidence interval of the mean (t-based); needs 2+.")
    ci_high: float | None = None
    ci_clipped: bool = Field(False, description="The interval ran past an end of the answer scale and was cut there.")
    sd: float | None = None
    median: float | None = None


class BlockOut(Schema):
    """Results over one set of respondents. When ``withheld``, only the note is given."""

    withheld: bool
    note: str = ""
    n: int | None = Field(None, description="Answers counted (\"not relevant\" excluded); absent when withheld.")
    not_relevant: int | None = None
    distribution: list[ChoiceCount] | None = None
    ranking: list[RankOut] | None = None
    mean: MeanOut | None = None
    texts: list[str] | None = Field(None, description=(
        f"Free-text answers in alphabetical order: the first {TEXTS_PREVIEW}; ``texts_url`` pages through all."))
    texts_more: bool | None = Field(None, description="There are more free-text answers than ``texts`` shows.")
    texts_url: str | None = Field(None, description=(
        f"The address of all these free-text answers, {TEXTS_PER_PAGE} at a time."))


class GroupBlockOut(BlockOut):
    group: str
    label: str


class QuestionResultOut(Schema):
    key: str
    kind: str
    text: str
    overall: BlockOut
    groups: list[GroupBlockOut]


class GroupCountOut(Schema):
    group: str
    label: str
    withheld: bool
    responses: int | None = Field(None, description="Absent when the group is too small to show.")


class TextAnswersOut(Schema):
    """The free-text answers to one question, overall or of one group, a page at a time in
    alphabetical order. When ``withheld``, only the note is given."""

    question: str = Field(description="The question's key.")
    text: str = Field(description="The question as asked.")
    group: str | None = Field(description="The group's code; null for everyone, \"\" for those who gave none.")
    label: str = Field(description="The group's name; empty for everyone.")
    withheld: bool = Field(description="Too few answers to show any (the minimum group size).")
    note: str = ""
    items: list[str] = Field(description="The answers of this page.")
    count: int = Field(description="How many answers there are in all (0 when withheld).")
    next: str | None = Field(None, description="The address of the next page; null on the last page.")
    previous: str | None = Field(None, description="The address of the previous page; null on the first.")


class ResultsOut(Schema):
    responses: int
    threshold: int = Field(..., description="Smallest number of answers a result is shown for.")
    withheld: bool = Field(..., description="Fewer responses than the threshold: nothing is shown.")
    note: str
    groups: list[GroupCountOut]
    questions: list[QuestionResultOut]
