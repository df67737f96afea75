"""The results page stays bounded however many people answer (issue 11, point 1): figures are
counted in the database, free text is shown a page at a time, and the minimum group size still
holds on every page of free text."""

import random
import tracemalloc
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tailorkit.consultations import selectors, stats
from tailorkit.consultations.models import Answer, Response
from tailorkit.consultations.services.results import (
    TEXTS_PER_PAGE,
    TEXTS_PREVIEW,
    consultation_results,
    stakeholder_barrier_ratings,
)

from .factories import CHOICE, LIKERT, TEXT, make_consultation_asking

RANKING = {"key": "order", "kind": "ranking", "text": "Rank these",
           "options": [{"value": v, "label": v.upper()} for v in ("a", "b", "c")]}
MULTIPLE = {"key": "helps", "kind": "multiple", "text": "What helps?",
            "options": [{"value": v, "label": v.title()} for v in ("time", "money")]}
IMPORTANCE = {"key": "barrier-1__importance", "kind": "likert5", "text": "How important?"}


def add_many(consultation, n, group="", text=lambda i: f"idea number {i:04d}", seed=1):
    """``n`` responses written in bulk (the factories' ``add_response`` writes one at a time)."""
    rng = random.Random(seed)
    version = consultation.questionnaire.versions.order_by("-number").first()
    org = consultation.organisation
    responses = Response.objects.bulk_create([
        Response(organisation=org, consultation=consultation, version=version, group=group,
                 submission_key=uuid.uuid4(), submitted_on=date(2026, 11, 20)) for _ in range(n)])
    answers = []
    for i, response in enumerate(responses):
        values = {"role": rng.choice(["gp", "nurse"]), "time": rng.randint(1, 5), "help": text(i),
                  "order": rng.sample(["a", "b", "c"], 3), "helps": rng.sample(["time", "money"], rng.randint(1, 2)),
                  "barrier-1__importance": rng.randint(1, 5)}
        answers += [Answer(organisation=org, response=response, question_key=key, value=value)
                    for key, value in values.items()]
    Answer.objects.bulk_create(answers)
    return answers


@pytest.fixture
def survey(org, alice):
    return make_consultation_asking(org, alice, [CHOICE, LIKERT, TEXT, RANKING, MULTIPLE, IMPORTANCE],
                                    groups=["clinician", "manager"])


def results_url(org, consultation, **params):
    url = reverse("consultations:consultation_results", args=[org.slug, consultation.uuid])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def listed(html):
    body = html.split('<ul class="result-texts">', 1)[1].split("</ul>", 1)[0]
    return [item.split("</li>", 1)[0] for item in body.split("<li>")[1:]]


def test_figures_counted_in_the_database_equal_those_of_every_answer(survey):
    answers = add_many(survey, 40, group="clinician")
    found = {r["key"]: r["overall"] for r in consultation_results(survey, chart=False)["questions"]}
    times = [a.value for a in answers if a.question_key == "time"]
    assert found["time"]["summary"] == stats.summary(times, low=1, high=5)
    assert found["time"]["agreement"] == stats.agreement(times)
    assert [d["count"] for d in found["time"]["distribution"]] == [times.count(v) for v in range(1, 6)]
    orders = [a.value for a in answers if a.question_key == "order"]
    mean_a = sum(o.index("a") + 1 for o in orders) / len(orders)
    ranking = {r["value"]: r for r in found["order"]["ranking"]}
    assert ranking["a"]["mean_rank"] == pytest.approx(mean_a)
    assert ranking["a"]["first"] == sum(1 for o in orders if o[0] == "a")
    helps = [a.value for a in answers if a.question_key == "helps"]
    assert {d["value"]: d["count"] for d in found["helps"]["distribution"]} == {
        "time": sum("time" in h for h in helps), "money": sum("money" in h for h in helps)}
    importance = [a.value for a in answers if a.question_key == "barrier-1__importance"]
    assert stakeholder_barrier_ratings(survey)["barrier-1"][0] == pytest.approx(sum(importance) / 40)


def test_the_results_page_shows_a_few_texts_and_links_to_all_of_them(client_for, alice, org, survey):
    add_many(survey, 2 * TEXTS_PER_PAGE, group="clinician")
    html = client_for(alice).get(results_url(org, survey)).content.decode()
    shown = listed(html)
    assert shown == [f"idea number {i:04d}" for i in range(TEXTS_PREVIEW)]
    assert "Read all 100 answers" in html and "?texts=help" in html


def test_the_texts_page_shows_a_page_of_answers_and_the_next_page_the_rest(client_for, alice, org, survey):
    # Written in reverse, some capitalised: the pages must still be in alphabetical order.
    n = 2 * TEXTS_PER_PAGE + 7
    add_many(survey, n, group="clinician", text=lambda i: f"{'Idea' if i % 3 else 'idea'} {n - i:04d}")
    client = client_for(alice)
    everything = sorted((f"{'Idea' if i % 3 else 'idea'} {n - i:04d}" for i in range(n)), key=str.casefold)
    pages = [listed(client.get(results_url(org, survey, texts="help", page=p)).content.decode()) for p in (1, 2, 3)]
    assert [len(p) for p in pages] == [TEXTS_PER_PAGE, TEXTS_PER_PAGE, 7]
    assert pages[0] + pages[1] + pages[2] == everything
    html = client.get(results_url(org, survey, texts="help", page=2)).content.decode()
    assert "Answers 51 to 100 of 107" in html and "page=3" in html and "page=1" in html
    assert "texts=help&amp;page=3" in html  # the pages keep the question


def test_a_group_page_shows_only_that_groups_answers(client_for, alice, org, survey):
    add_many(survey, 12, group="clinician", text=lambda i: f"clinician {i:02d}")
    add_many(survey, 6, group="manager", text=lambda i: f"manager {i:02d}")
    client = client_for(alice)
    shown = listed(client.get(results_url(org, survey, texts="help", group="manager")).content.decode())
    assert shown == [f"manager {i:02d}" for i in range(6)]
    assert client.get(results_url(org, survey, texts="help", group="nobody")).status_code == 404


def test_the_texts_pages_keep_the_minimum_group_size(client_for, alice, org, survey):
    add_many(survey, 8, group="clinician", text=lambda i: f"clinician {i}")
    add_many(survey, 2, group="manager", text=lambda i: f"SECRET manager {i}")
    client = client_for(alice)
    for group in ("manager", "clinician"):  # the clinicians too: else total minus clinicians = managers
        response = client.get(results_url(org, survey, texts="help", group=group))
        html = response.content.decode()
        assert response.status_code == 200 and '<p class="withheld" role="note">' in html
        assert "SECRET" not in html and "clinician 1" not in html
    assert "Fewer than 5 answers from the group “Manager”" in client.get(
        results_url(org, survey, texts="help", group="manager")).content.decode()
    overall = client.get(results_url(org, survey, texts="help")).content.decode()
    assert "clinician 1" in overall and "SECRET manager 0" in overall  # everyone together: 10 ≥ 5


def test_below_the_threshold_in_total_no_text_is_shown(client_for, alice, org, survey):
    add_many(survey, 4, text=lambda i: f"SECRET {i}")
    html = client_for(alice).get(results_url(org, survey, texts="help")).content.decode()
    assert "Fewer than 5 answers in total" in html and "SECRET" not in html


def test_a_question_that_is_not_free_text_or_not_asked_has_no_texts_page(client_for, alice, mallory, org, survey):
    add_many(survey, 6)
    assert client_for(alice).get(results_url(org, survey, texts="time")).status_code == 404
    assert client_for(alice).get(results_url(org, survey, texts="nothing")).status_code == 404
    assert client_for(mallory).get(results_url(org, survey, texts="help")).status_code == 404


def _queries_and_bytes(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.content)


def test_queries_and_bytes_do_not_grow_with_the_number_of_responses(client_for, alice, org, survey):
    client = client_for(alice)
    add_many(survey, 60, group="clinician")
    add_many(survey, 10, group="manager", seed=2)
    small = [_queries_and_bytes(client, results_url(org, survey, **p)) for p in ({}, {"texts": "help"})]
    add_many(survey, 240, group="clinician", seed=3)
    add_many(survey, 40, group="manager", seed=4)
    large = [_queries_and_bytes(client, results_url(org, survey, **p)) for p in ({}, {"texts": "help"})]
    assert [q for q, _b in small] == [q for q, _b in large] and min(q for q, _b in small) > 3
    # Five times the responses: the same texts shown, only the numbers in the tables change.
    for (_q, before), (_q2, after) in zip(small, large, strict=True):
        assert abs(after - before) < 0.02 * before


def test_memory_of_the_results_does_not_grow_with_the_answers(survey, monkeypatch):
    """Shape, not speed: the peak of Python memory while computing the results for 1,200 responses
    is not much more than for 300 (it was in proportion to the answers before issue 11). Texts are
    read in chunks, made small here so that both sizes are several chunks."""
    monkeypatch.setattr(selectors, "TEXT_CHUNK", 50)

    def peak():
        tracemalloc.start()
        consultation_results(survey, chart=False, texts=TEXTS_PREVIEW)
        size = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return size

    add_many(survey, 300, group="clinician", text=lambda i: f"{i} " + "words " * 40)
    before = peak()
    add_many(survey, 900, group="clinician", seed=5, text=lambda i: f"{i} " + "words " * 40)
    assert peak() < 2 * before


def test_counts_give_the_same_summary_as_the_list_they_count():
    values = [1, 2, 2, 3, 5, 5, 5, 4]
    counts = {v: values.count(v) for v in set(values)}
    assert stats.summary_of_counts(counts, low=1, high=5) == stats.summary(values, low=1, high=5)
    assert stats.summary(values)["q1"] == 2 and stats.summary(values)["median"] == 3.5
    assert stats.agreement_of_counts(counts) == stats.agreement(values)
    assert stats.mean_of_counts(counts) == pytest.approx(27 / 8) and stats.mean_of_counts({}) is None


def test_the_questionnaire_list_is_paged_with_the_same_queries_at_any_length(client_for, alice, org):
    from tailorkit.consultations.models import Questionnaire
    from tailorkit.consultations.views.builder import PER_PAGE

    client = client_for(alice)
    url = reverse("consultations:questionnaire_list", args=[org.slug])
    Questionnaire.objects.bulk_create([Questionnaire(organisation=org, title=f"Q{i:03d}") for i in range(3)])
    small, _bytes = _queries_and_bytes(client, url)
    Questionnaire.objects.bulk_create([Questionnaire(organisation=org, title=f"Q{i:03d}")
                                       for i in range(3, PER_PAGE + 7)])
    large, _bytes = _queries_and_bytes(client, url)
    assert small == large
    first, second = (client.get(url + f"?page={p}").content.decode() for p in (1, 2))
    assert first.count("/questionnaires/") - second.count("/questionnaires/") == PER_PAGE - 7
    assert "Q000" in first and "Q024" in first and "Q025" not in first
    assert "Q025" in second and "Q031" in second and "Page 2 of 2" in second


def test_texts_come_back_exactly_as_written(survey):
    written = ['He said "no"\nthen left', "Émile's \\ backslash", "ünïcode – dash", "plain", "0 zero"]
    add_many(survey, 5, text=lambda i: written[i])
    texts = next(r for r in consultation_results(survey)["questions"] if r["key"] == "help")["overall"]["texts"]
    assert texts == sorted(written, key=str.casefold)
