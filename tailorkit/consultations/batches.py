"""Results reads of several consultations at once: one query per kind of read, whatever their number.

The project summary reports every consultation of a project; reading each through ``selectors`` (the
responses per group, the answer counts, the free text, the questionnaire's versions) cost four queries
per consultation. These read the same rows for a list of consultations. As with ``selectors``, the
caller has checked the user's access, and ``services.results`` (``question_result``, with
``core.anonymity``) turns the counts into figures: nothing read here goes to a page without it.
"""

import json
from collections import defaultdict

from django.db.models import Case, Count, Q, TextField, Value, When
from django.db.models.functions import Cast

from .models import Answer, QuestionKind, QuestionnaireVersion, Response
from .selectors import ALL, FILLED, NO_GROUP, TEXT_CHUNK, JSONText


def questionnaire_versions_of(consultations):
    """``{questionnaire id: [its versions, oldest first]}`` of the consultations' questionnaires (one
    query), for ``services.results.questions_in``."""
    found = defaultdict(list)
    ids = {c.questionnaire_id for c in consultations}
    for version in QuestionnaireVersion.objects.filter(questionnaire_id__in=ids).order_by("questionnaire_id",
                                                                                          "number"):
        found[version.questionnaire_id].append(version)
    return found


def responses_per_group_of(consultations):
    """``{consultation id: {group: number of responses}}``, as ``selectors.responses_per_group`` (one query)."""
    per_group = {c.pk: defaultdict(int) for c in consultations}
    rows = (Response.objects.filter(consultation__in=list(per_group)).order_by().values("consultation", "group")
            .annotate(n=Count("pk")).values_list("consultation", "group", "n"))
    for consultation_id, group, n in rows:
        per_group[consultation_id][group or NO_GROUP] += n
    return {pk: dict(groups) for pk, groups in per_group.items()}


def _any_of(keys_by_consultation):
    """``Q`` of the answers to the given question keys of each consultation (empty when there are none)."""
    which = Q()
    for pk, keys in keys_by_consultation.items():
        if keys:
            which |= Q(response__consultation_id=pk, question_key__in=sorted(keys))
    return which


def answer_counts_of(asked):
    """``{consultation id: {question_key: [(group, value, not_relevant, how many), …]}}``:
    ``selectors.answer_counts`` for several consultations at once, ``asked`` being ``{consultation id:
    [question snapshot, …]}``. One query. Free text is counted, never grouped by its words, exactly as
    there; which keys are free text is decided per consultation (two questionnaires may use a key
    differently)."""
    found = {pk: defaultdict(list) for pk in asked}
    wanted = _any_of({pk: {q["key"] for q in questions} for pk, questions in asked.items()})
    if not wanted:
        return found
    text_keys = {pk: {q["key"] for q in questions if q["kind"] == QuestionKind.TEXT} for pk, questions in asked.items()}
    is_text = _any_of(text_keys)
    # Grouped by the JSON as text, as ``answer_counts`` does (PostgreSQL hashes instead of sorting jsonb).
    as_text = Cast("value", TextField())
    if is_text:
        as_text = Case(When(is_text & Q(value__isnull=False), then=Value("1")), When(is_text, then=Value(None)),
                       default=as_text, output_field=TextField())
    rows = (Answer.objects.filter(wanted).order_by().annotate(json=as_text)
            .values("response__consultation", "response__group", "question_key", "json", "not_relevant")
            .annotate(n=Count("pk"))
            .values_list("response__consultation", "response__group", "question_key", "json", "not_relevant", "n"))
    for pk, group, key, text, not_relevant, n in rows:
        if text is None:
            value = None
        else:
            value = FILLED if key in text_keys[pk] else json.loads(text)
        found[pk][key].append((group or NO_GROUP, value, not_relevant, n))
    return found


def _text_order(text):
    # Alphabetical, case aside, as the results page lists texts: the order of submission could point
    # to who wrote what.
    return text.casefold(), text


def first_texts_of(wanted, limit):
    """``{consultation id: {(question_key, group or ALL): the first ``limit`` texts in alphabetical
    order}}``: ``selectors.first_texts`` for several consultations at once, ``wanted`` being
    ``{consultation id: [(question_key, group or ALL), …]}``. One query, streamed; each list is cut back
    to ``limit`` whenever it holds twice as many, so memory follows ``limit``, not the answers."""
    found = {pk: {pair: [] for pair in pairs} for pk, pairs in wanted.items()}
    which = _any_of({pk: {key for key, _group in pairs} for pk, pairs in wanted.items()})
    if not which:
        return found
    rows = (Answer.objects.filter(which, not_relevant=False, value__isnull=False).order_by()
            .annotate(text=JSONText("value"))
            .values_list("response__consultation", "question_key", "response__group", "text")
            .iterator(chunk_size=TEXT_CHUNK))
    for pk, key, group, value in rows:
        lists = found[pk]
        for pair in ((key, ALL), (key, group or NO_GROUP)):
            texts = lists.get(pair)
            if texts is None:
                continue
            texts.append(str(value))
            if limit is not None and len(texts) >= 2 * limit + 100:
                texts[:] = sorted(texts, key=_text_order)[:limit]
    return {pk: {pair: sorted(texts, key=_text_order)[:limit] for pair, texts in lists.items()}
            for pk, lists in found.items()}
