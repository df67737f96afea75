"""Reads of questionnaires and consultations that the pages and the API share.

Each takes the organisation whose rows it reads (the caller has checked the user's access through
``tailorkit.core.permissions``), except ``questionnaire_detail_queryset``, which the pages hand to
``get_object_for_user_or_404`` to be narrowed there. Results are read here as counts
(``answer_counts``) and pages of free text (``first_texts``); ``services.results`` turns them into
figures and applies the minimum group size: nothing read here goes to a page without it.
"""

import json
from collections import defaultdict

from django.db.models import (
    Case,
    Count,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from tailorkit.core.anonymity import threshold_for

from .models import Answer, Consultation, Invitation, Question, QuestionKind, Questionnaire, Response, Section

NO_GROUP = ""  # the group of respondents who gave none
ALL = None  # "everyone", where a group code is expected
FILLED = object()  # stands for a free-text answer in ``answer_counts``: its words are not counted
TEXT_CHUNK = 2000  # free-text answers read from the database at a time


def questionnaires_of(org):
    """The organisation's questionnaires, by title."""
    return Questionnaire.objects.filter(organisation=org)


def questionnaires_with_use(org):
    """The organisation's questionnaires, each with its newest version number (``latest_number``),
    its number of consultations (``n_consultations``) and the newest one's creation (``last_used``)."""
    used = (Consultation.objects.filter(questionnaire=OuterRef("pk")).order_by()
            .values("questionnaire").annotate(n=Count("pk")))
    return questionnaires_of(org).annotate(
        latest_number=Max("versions__number"),
        n_consultations=Coalesce(Subquery(used.values("n"), output_field=IntegerField()), 0),
    ).order_by("title", "pk")


def questionnaire_queryset(org):
    """The organisation's questionnaires with the number of their newest version (``latest_number``)."""
    return questionnaires_of(org).annotate(latest_number=Max("versions__number"))


def questionnaire_detail_queryset(org=None):
    """Questionnaires with their newest version number and their sections and questions in order
    (one query each); those of ``org`` when it is given."""
    questionnaires = questionnaire_queryset(org) if org is not None else Questionnaire.objects.annotate(
        latest_number=Max("versions__number"))
    return questionnaires.prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position", "pk").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "pk")))))


def consultations_of(org):
    """The organisation's consultations, newest first, with their questionnaire."""
    return Consultation.objects.filter(organisation=org).select_related("questionnaire")


def consultation_queryset(org):
    """The organisation's consultations, newest first, each with its number of responses
    (``n_responses``) and of invitations per status (``n_sent``, ``n_opened``, ``n_completed``)."""
    # Subqueries rather than joins: two counted joins (responses × invitations) would multiply.
    def counted(model, **filters):
        rows = (model.objects.filter(consultation=OuterRef("pk"), **filters).order_by()
                .values("consultation").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return Consultation.objects.filter(organisation=org).annotate(
        n_responses=counted(Response),
        **{f"n_{status}": counted(Invitation, status=status) for status in Invitation.Status.values},
    )


def invitation_counts(consultation):
    """How many of the consultation's invitations have each status (one query, no addresses read)."""
    counts = {status: 0 for status in Invitation.Status.values}
    rows = consultation.invitations.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    counts.update(dict(rows))
    return counts


def invitations_with_counts(consultation):
    """The consultation's invitations (one query) and how many have each status."""
    invitations = consultation.invitations.all()
    counts = {status: 0 for status in Invitation.Status.values}
    for invitation in invitations:
        counts[invitation.status] += 1
    return invitations, counts


def group_size_outlook(consultation):
    """Will the minimum group size hide this consultation's results? What the invite and
    consultation pages warn about before anyone answers (a small clinic invites 4 people to a
    consultation whose minimum is 5, and every result reads "withheld").

    ``None`` when the minimum is 1 (nothing is ever hidden). Otherwise ``{"threshold", "invited",
    "short_by", "small_groups": [(label, n invited)], "limit": response limit below the minimum or
    None, "warn"}``: ``short_by`` counts the people still to invite (personal invitations only: an
    open link's audience is not known in advance); ``small_groups`` are invited groups too small to
    be shown on their own; ``warn`` says whether anything will certainly or probably be hidden.
    One query (the invitations by group)."""
    threshold = threshold_for(consultation.min_group_size)
    if threshold <= 1:
        return None
    invited, small_groups = 0, []
    if consultation.mode == Consultation.Mode.INVITATIONS:
        rows = consultation.invitations.order_by().values("group").annotate(n=Count("pk")).values_list("group", "n")
        by_group = dict(rows)
        invited = sum(by_group.values())
        small_groups = [(consultation.group_label(g), n) for g, n in sorted(by_group.items())
                        if g and n < threshold]
    limit = consultation.response_limit
    limit = limit if limit is not None and limit < threshold else None
    short_by = max(0, threshold - invited) if consultation.mode == Consultation.Mode.INVITATIONS else 0
    return {"threshold": threshold, "invited": invited, "short_by": short_by, "small_groups": small_groups,
            "limit": limit, "warn": bool(short_by or small_groups or limit is not None)}


# --- Results: counts and pages of free text (``services.results`` applies the anonymity rules) ---

def responses_per_group(consultation):
    """``{group: number of responses}`` (one query)."""
    per_group = defaultdict(int)
    rows = (Response.objects.filter(consultation=consultation).order_by().values("group")
            .annotate(n=Count("pk")).values_list("group", "n"))
    for group, n in rows:
        per_group[group or NO_GROUP] += n
    return dict(per_group)


def answer_counts(consultation, questions):
    """``{question_key: [(group, value, not_relevant, how many), …]}``, counted in the database.

    Identical answers of a group are one row with their count, so the results read a few rows per
    question (five values of a 5-point scale per group, however many respondents), never an object
    per answer (issue 11: 290 MB for 10,000 responses before). Free text is not grouped by its
    words: its rows say only how many answers were given (value ``FILLED``) or left empty
    (``None``); the texts themselves are read a page at a time (``first_texts``). One query.
    """
    text_keys = {q["key"] for q in questions if q["kind"] == QuestionKind.TEXT}
    by_key = defaultdict(list)
    if not questions:
        return by_key
    # Grouped by the JSON as text: PostgreSQL then hashes the groups instead of sorting every
    # answer by jsonb comparison (0.25 s rather than 1 s for 80,000 answers). A free-text answer
    # is grouped by whether it is there ("1") or not (NULL), never by its words.
    listed = sorted(text_keys)
    as_text = Case(When(question_key__in=listed, value__isnull=False, then=Value("1")),
                   When(question_key__in=listed, then=Value(None)),
                   default=Cast("value", TextField()), output_field=TextField())
    rows = (Answer.objects.filter(response__consultation=consultation, question_key__in=[q["key"] for q in questions])
            .order_by().annotate(json=as_text)
            .values("response__group", "question_key", "json", "not_relevant").annotate(n=Count("pk"))
            .values_list("response__group", "question_key", "json", "not_relevant", "n"))
    for group, key, text, not_relevant, n in rows:
        if key in text_keys:
            value = None if text is None else FILLED
        else:
            value = None if text is None else json.loads(text)
        by_key[key].append((group or NO_GROUP, value, not_relevant, n))
    return by_key


def _keep_first(texts, limit):
    return sorted(texts, key=_text_order)[:limit]


def _text_order(text):
    # Alphabetical, case aside: the order of submission could point to who wrote what.
    return text.casefold(), text


class JSONText(Func):
    """A JSON string as plain text, without its quotes and escapes (PostgreSQL ``#>> '{}'``, SQLite
    ``json_extract(…, '$')``). Django has no lookup for the text of a whole JSON value (``KT`` needs
    a key); with this the texts come back ready, not decoded as JSON one by one in Python."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s #>> '{}')", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="json_extract(%(expressions)s, '$')", **extra)


def first_texts(consultation, wanted, limit):
    """``{(question_key, group or ALL): the first ``limit`` texts in alphabetical order}`` for the
    ``wanted`` pairs (``limit`` None: all of them).

    One query streamed in chunks over the text column only; each list is cut back to ``limit``
    whenever it holds twice as many, so memory stays in proportion to ``limit`` times the number of
    lists, not to the number of answers. Sorted here rather than by the database because SQLite and
    PostgreSQL order JSON text differently (quotes, escapes, collation) and ``str.casefold`` is the
    order the pages have always used.
    """
    found = {pair: [] for pair in wanted}
    keys = {key for key, _group in wanted}
    if not keys:
        return found
    rows = (Answer.objects.filter(response__consultation=consultation, question_key__in=keys, not_relevant=False,
                                  value__isnull=False).order_by()
            .annotate(text=JSONText("value"))
            .values_list("question_key", "response__group", "text").iterator(chunk_size=TEXT_CHUNK))
    for key, group, value in rows:
        for pair in ((key, ALL), (key, group or NO_GROUP)):
            texts = found.get(pair)
            if texts is None:
                continue
            texts.append(str(value))
            if limit is not None and len(texts) >= 2 * limit + 100:
                texts[:] = _keep_first(texts, limit)
    return {pair: _keep_first(texts, limit) for pair, texts in found.items()}
