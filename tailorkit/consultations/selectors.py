"""Reads of questionnaires and consultations that the pages and the API share.

Each takes the organisation whose rows it reads (the caller has checked the user's access through
``tailorkit.core.permissions``), except ``questionnaire_detail_queryset``, which the pages hand to
``get_object_for_user_or_404`` to be narrowed there. Results are read here as counts
(``answer_counts``) and pages of free text (``first_texts``), or both kept between views and brought
up to date with the new responses only (``results_tallies``, for the results page and the API);
``services.results`` turns them into figures and applies the minimum group size: nothing read here
goes to a page without it.
"""

import hashlib
import json
from collections import defaultdict

from django.conf import settings
from django.core.cache import caches
from django.db.models import (
    Case,
    Count,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from tailorkit.core.anonymity import threshold_for

from .models import (
    Answer,
    Consultation,
    Invitation,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Section,
)

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
    for group, key, text, not_relevant, n in _counted(consultation, questions):
        by_key[key].append((group or NO_GROUP, _decoded(key, text, text_keys), not_relevant, n))
    return by_key


def _decoded(key, text, text_keys):
    if key in text_keys:
        return None if text is None else FILLED
    return None if text is None else json.loads(text)


def _counted(consultation, questions, after=0, upto=None):
    """The rows of ``answer_counts`` as the database gives them (the value as JSON text), of the
    responses whose id is above ``after`` and at most ``upto`` (all when None)."""
    if not questions:
        return []
    # Grouped by the JSON as text: PostgreSQL then hashes the groups instead of sorting every
    # answer by jsonb comparison (0.25 s rather than 1 s for 80,000 answers). A free-text answer
    # is grouped by whether it is there ("1") or not (NULL), never by its words.
    listed = sorted(q["key"] for q in questions if q["kind"] == QuestionKind.TEXT)
    as_text = Case(When(question_key__in=listed, value__isnull=False, then=Value("1")),
                   When(question_key__in=listed, then=Value(None)),
                   default=Cast("value", TextField()), output_field=TextField())
    answers = Answer.objects.filter(response__consultation=consultation, question_key__in=[q["key"] for q in questions])
    answers = _in_range(answers, after, upto)
    return (answers.order_by().annotate(json=as_text)
            .values("response__group", "question_key", "json", "not_relevant").annotate(n=Count("pk"))
            .values_list("response__group", "question_key", "json", "not_relevant", "n"))


def _in_range(answers, after, upto):
    if after:
        answers = answers.filter(response_id__gt=after)
    if upto is not None:
        answers = answers.filter(response_id__lte=upto)
    return answers


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
    rows = ((key, group, str(text)) for key, group, _pk, text in _text_rows(consultation, {k for k, _g in wanted}))
    return _gather(rows, wanted, limit, _text_order)


def _text_rows(consultation, keys, which=None, *, stream=True):
    """``(question key, group, answer id, text)`` of the given free-text questions (and ``which``
    answers: a ``Q``), streamed (``stream``: in chunks, on PostgreSQL through a server-side cursor,
    which costs three round trips: not worth it for a few dozen rows)."""
    if not keys:
        return []
    answers = Answer.objects.filter(response__consultation=consultation, question_key__in=keys, not_relevant=False,
                                    value__isnull=False)
    answers = answers.filter(which) if which is not None else answers
    rows = answers.order_by().annotate(text=JSONText("value")).values_list("question_key", "response__group", "pk",
                                                                          "text")
    return rows.iterator(chunk_size=TEXT_CHUNK) if stream else rows


def _gather(rows, wanted, limit, order):
    """The first ``limit`` items by ``order`` of each wanted pair, from ``(key, group, item)`` rows
    (an item counts for its group and for everyone), cut back as they come (``first_texts``)."""
    found = {pair: [] for pair in wanted}
    for key, group, item in rows:
        for pair in ((key, ALL), (key, group or NO_GROUP)):
            items = found.get(pair)
            if items is None:
                continue
            items.append(item)
            if limit is not None and len(items) >= 2 * limit + 100:
                items[:] = sorted(items, key=order)[:limit]
    return {pair: sorted(items, key=order)[:limit] for pair, items in found.items()}


# --- Results kept between requests and brought up to date (issue 11) ----------------------------------
#
# Counting every answer on every view cost the results page of 10,000 responses about 130 ms of
# database time (a hash aggregate over 60,000 answers) and 30 ms more to sort 10,000 texts, each time
# the same. Responses are only ever added or deleted whole (an answer is never changed), so the
# figures are kept in the cache with the state of the responses they count (``upto``: the newest
# response id counted; ``n`` and ``sum``: how many responses at most ``upto`` there were, and the sum
# of their ids) and each view first checks that state in the query that counts the responses per
# group. Unchanged: nothing is counted. New responses since: only theirs are counted and added. Any
# response deleted (or one committed late under a smaller id): everything is counted again. So the
# page is never staler than the database, and a view costs the same three queries at any size.
#
# The cache holds counts and answer ids, never a free text: the texts shown are read by id on each
# view, so an erased response's words leave with it.

TALLY_VERSION = 1
TALLY_TIMEOUT = 7 * 24 * 3600  # an unviewed consultation's entry goes after a week


def _store():
    return caches["results" if "results" in settings.CACHES else "default"]


def _by_id_order(item):
    text, pk = item
    return text.casefold(), text, pk


def _tally_key(consultation, questions, limit):
    signature = json.dumps([TALLY_VERSION, limit, sorted((q["key"], q["kind"] == QuestionKind.TEXT)
                                                        for q in questions)])
    return f"results:{consultation.pk}:{hashlib.sha256(signature.encode()).hexdigest()[:32]}"


def results_tallies(consultation, questions, limit):
    """``{"per_group": {group: responses}, "counts": answer_counts(…), "texts": {(key, group or
    ALL): the first ``limit`` texts}}`` for ``questions``, with texts for every free-text question,
    overall and for every group that answered (``services.results`` keeps those it may show).

    The same as ``responses_per_group``, ``answer_counts`` and ``first_texts`` read now, but kept
    in the cache and brought up to date with only the responses added since (see above). Three
    queries when nothing changed (the cache, the responses per group, the texts shown by id)."""
    store = _store()
    key = _tally_key(consultation, questions, limit)
    kept = store.get(key)
    upto = kept["upto"] if kept else 0
    rows = list(Response.objects.filter(consultation=consultation).order_by().values("group").annotate(
        n=Count("pk"), last=Max("pk"), total=Sum("pk"),
        n_old=Count("pk", filter=Q(pk__lte=upto)), sum_old=Sum("pk", filter=Q(pk__lte=upto)),
    ).values_list("group", "n", "last", "total", "n_old", "sum_old"))
    per_group = defaultdict(int)
    for group, n, *_rest in rows:
        per_group[group or NO_GROUP] += n
    state = {"upto": max((r[2] for r in rows), default=0), "n": sum(r[1] for r in rows),
             "sum": sum(r[3] for r in rows)}
    unchanged = kept is not None and (kept["n"], kept["sum"]) == (sum(r[4] for r in rows),
                                                                   sum(r[5] or 0 for r in rows))
    if not unchanged:
        kept, upto = {"counts": {}, "texts": {}}, 0
    text_keys = {q["key"] for q in questions if q["kind"] == QuestionKind.TEXT}
    counts, shown = dict(kept["counts"]), {pk for ids in kept["texts"].values() for pk in ids}
    new = state["upto"] > upto
    if new:
        for group, qkey, text, not_relevant, n in _counted(consultation, questions, upto, state["upto"]):
            entry = (group or NO_GROUP, qkey, text, not_relevant)
            counts[entry] = counts.get(entry, 0) + n
    # The texts kept (by id) and those of the new responses, in one query: the first ``limit`` of a
    # list are among its first ``limit`` before and the new ones.
    which = Q(pk__in=sorted(shown)) | (Q(response_id__gt=upto, response_id__lte=state["upto"]) if new else Q(pk__in=[]))
    wanted = [(k, g) for k in sorted(text_keys) for g in (ALL, *per_group)]
    rows = _text_rows(consultation, text_keys, which, stream=new) if shown or new else []
    texts = _gather(((k, g, (str(text), pk)) for k, g, pk, text in rows), wanted, limit, _by_id_order)
    if new or not unchanged:
        store.set(key, {**state, "counts": counts, "texts": {pair: [pk for _t, pk in found]
                                                              for pair, found in texts.items()}}, TALLY_TIMEOUT)
    by_key = defaultdict(list)
    for (group, qkey, text, not_relevant), n in counts.items():
        by_key[qkey].append((group, _decoded(qkey, text, text_keys), not_relevant, n))
    return {"per_group": dict(per_group), "counts": by_key,
            "texts": {pair: [text for text, _pk in found] for pair, found in texts.items()}}


def text_page(consultation, key, group, window):
    """The texts of one free-text block (``group``: a group code, or ALL) in ``window`` (a slice),
    in the alphabetical order of ``first_texts``.

    A deep page needs the order of every text, which means reading and sorting them all (about
    40 ms at 10,000 answers). The order is kept in the cache as answer ids, under the state of the
    responses (how many, the sum and the largest of their ids: any response added or deleted
    changes it), so the next page reads only its own texts, by id. Never a text in the cache: an
    erased response's words leave with it."""
    state = Response.objects.filter(consultation=consultation).aggregate(n=Count("pk"), total=Sum("pk"),
                                                                         last=Max("pk"))
    cache_key = "texts:{}:{}".format(consultation.pk, hashlib.sha256(json.dumps(
        [TALLY_VERSION, key, group, *(int(state[k] or 0) for k in ("n", "total", "last"))]  # Sum: Decimal on PG
    ).encode()).hexdigest()[:32])
    store = _store()
    order = store.get(cache_key)
    if order is None:
        rows = ((k, g, (str(text), pk)) for k, g, pk, text in _text_rows(consultation, {key}))
        order = [pk for _text, pk in _gather(rows, [(key, group)], None, _by_id_order)[(key, group)]]
        store.set(cache_key, order, TALLY_TIMEOUT)
    wanted = order[window]
    if not wanted:
        return []
    found = {pk: str(text) for _k, _g, pk, text in _text_rows(consultation, {key}, Q(pk__in=wanted), stream=False)}
    # An answer deleted since the order was kept is skipped (its response's deletion changes the
    # state, so this lasts one view at most).
    return [found[pk] for pk in wanted if pk in found]
