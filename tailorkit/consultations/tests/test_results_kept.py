"""The results page keeps its counts between views (``selectors.results_tallies``, issue 11) and is
never staler than the database: a view after new responses shows them, a view after a deletion no
longer counts it, and an unchanged consultation is not counted again."""

import pickle
import uuid
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tailorkit.consultations import selectors
from tailorkit.consultations.models import Answer, Response
from tailorkit.consultations.services.results import TEXTS_PREVIEW, consultation_results, questions_of

from .factories import CHOICE, LIKERT, TEXT, add_response, make_consultation_asking
from .test_results_bounded import IMPORTANCE, MULTIPLE, RANKING, add_many


@pytest.fixture
def survey(org, alice):
    return make_consultation_asking(org, alice, [CHOICE, LIKERT, TEXT, RANKING, MULTIPLE, IMPORTANCE],
                                    groups=["clinician", "manager"])


def read_now(consultation):
    """What the kept figures must equal: everything read from the database at once."""
    questions = questions_of(consultation)
    counts = selectors.answer_counts(consultation, questions)
    groups = selectors.responses_per_group(consultation)
    wanted = [("help", g) for g in (selectors.ALL, *groups)]
    return (groups, {k: sorted(v, key=repr) for k, v in counts.items()},
            selectors.first_texts(consultation, wanted, TEXTS_PREVIEW))


def kept(consultation):
    found = selectors.results_tallies(consultation, questions_of(consultation), TEXTS_PREVIEW)
    return found["per_group"], {k: sorted(v, key=repr) for k, v in found["counts"].items()}, found["texts"]


def overall(consultation, key):
    return next(r for r in consultation_results(consultation, texts=TEXTS_PREVIEW)["questions"]
                if r["key"] == key)["overall"]


def test_kept_figures_equal_those_read_now_and_follow_new_responses(survey):
    add_many(survey, 30, group="clinician")
    add_many(survey, 12, group="manager", seed=2, text=lambda i: f"manager idea {i}")
    assert kept(survey) == read_now(survey)
    add_many(survey, 7, group="manager", seed=3, text=lambda i: f"A first idea {i}")  # first in the order
    assert kept(survey) == read_now(survey)
    assert overall(survey, "help")["texts"][0] == "A first idea 0"
    assert overall(survey, "role")["n"] == 49


def test_an_unchanged_consultation_is_not_counted_again(survey):
    add_many(survey, 40, group="clinician")
    questions = questions_of(survey)
    selectors.results_tallies(survey, questions, TEXTS_PREVIEW)
    with CaptureQueriesContext(connection) as queries:
        again = selectors.results_tallies(survey, questions, TEXTS_PREVIEW)
    sql = [q["sql"] for q in queries]
    # The cache, the responses per group, the texts shown (by id): no count over the answers.
    assert len(sql) == 3 and not any("GROUP BY" in s and "consultations_answer" in s for s in sql)
    assert again["texts"][("help", selectors.ALL)] == read_now(survey)[2][("help", selectors.ALL)]


def test_only_the_new_responses_are_counted_after_a_view(survey):
    add_many(survey, 40, group="clinician")
    questions = questions_of(survey)
    selectors.results_tallies(survey, questions, TEXTS_PREVIEW)
    newest = Response.objects.filter(consultation=survey).order_by("-pk").first().pk
    add_many(survey, 3, group="manager", seed=4)
    with CaptureQueriesContext(connection) as queries:
        selectors.results_tallies(survey, questions, TEXTS_PREVIEW)
    counted = [q["sql"] for q in queries if "GROUP BY" in q["sql"] and "consultations_answer" in q["sql"]]
    assert len(counted) == 1 and f'"response_id" > {newest}' in counted[0]


def test_a_deleted_response_is_no_longer_shown(survey):
    add_many(survey, 20, group="clinician")
    add_response(survey, {"role": "gp", "time": 5, "help": "AAA please remove me"}, group="clinician")
    assert overall(survey, "help")["texts"][0] == "AAA please remove me"
    Response.objects.filter(answers__value="AAA please remove me").delete()
    assert "AAA please remove me" not in overall(survey, "help")["texts"]
    assert overall(survey, "role")["n"] == 20
    assert kept(survey) == read_now(survey)


def test_a_response_stored_late_under_a_smaller_id_is_counted(survey):
    """Ids are handed out before commit, so a response may appear under an id below the newest one
    already counted: the kept figures see the count of the older ids change and count again."""
    add_many(survey, 10, group="clinician")
    middle = Response.objects.filter(consultation=survey).order_by("pk")[5]
    taken_id, version = middle.pk, middle.version
    middle.delete()
    assert overall(survey, "role")["n"] == 9
    late = Response.objects.create(pk=taken_id, organisation=survey.organisation, consultation=survey,
                                   version=version, group="clinician", submission_key=uuid.uuid4(),
                                   submitted_on=date(2026, 11, 21))
    Answer.objects.create(organisation=survey.organisation, response=late, question_key="role", value="nurse")
    assert overall(survey, "role")["n"] == 10
    assert kept(survey) == read_now(survey)


def test_the_minimum_group_size_applies_to_kept_figures_at_once(survey):
    add_many(survey, 8, group="clinician")
    assert not overall(survey, "role")["withheld"]
    survey.min_group_size = 20
    survey.save(update_fields=["min_group_size"])
    found = consultation_results(survey, texts=TEXTS_PREVIEW)
    assert found["withheld"] and found["questions"] == []
    add_many(survey, 6, group="manager", seed=2)  # 14 in all, 6 managers: their group is withheld
    survey.min_group_size = 7
    survey.save(update_fields=["min_group_size"])
    role = next(r for r in consultation_results(survey, texts=TEXTS_PREVIEW)["questions"] if r["key"] == "role")
    assert [(g["group"], g["withheld"]) for g in role["groups"]] == [("clinician", True), ("manager", True)]


def test_the_cache_keeps_no_free_text(survey):
    add_many(survey, 12, group="clinician", text=lambda i: f"secret words {i}")
    overall(survey, "help")
    key = selectors._tally_key(survey, questions_of(survey), TEXTS_PREVIEW)
    entry = caches["results"].get(key)
    assert entry is not None and b"secret words" not in pickle.dumps(entry)


def test_a_deep_page_of_texts_reads_only_its_own_texts_once_the_order_is_kept(survey):
    add_many(survey, 120, group="clinician", text=lambda i: f"idea {i:03d}")
    everyone = [t for t in selectors.first_texts(survey, [("help", selectors.ALL)], None)[("help", selectors.ALL)]]
    assert selectors.text_page(survey, "help", selectors.ALL, slice(50, 100)) == everyone[50:100]
    with CaptureQueriesContext(connection) as queries:
        again = selectors.text_page(survey, "help", selectors.ALL, slice(100, 150))
    assert again == everyone[100:150]
    text_reads = [q["sql"] for q in queries.captured_queries if "consultations_answer" in q["sql"]]
    assert len(text_reads) == 1 and "IN (" in text_reads[0]  # by id: the page's 20 texts, not all 120


def test_a_page_of_texts_follows_new_and_deleted_responses_at_once(survey):
    add_many(survey, 30, group="clinician", text=lambda i: f"idea {i:03d}")
    first = selectors.text_page(survey, "help", selectors.ALL, slice(0, 5))
    add_response(survey, {"help": "A new first idea"}, group="manager")
    assert selectors.text_page(survey, "help", selectors.ALL, slice(0, 5)) == ["A new first idea", *first[:4]]
    Response.objects.filter(answers__value="A new first idea").delete()
    assert selectors.text_page(survey, "help", selectors.ALL, slice(0, 5)) == first
