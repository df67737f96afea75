"""The figures the project steps read back (stakeholder ratings and APEASE means)."""

import pytest

from tailorkit.consultations.services.results import stakeholder_apease_means, stakeholder_barrier_ratings

from .factories import NR, add_response, make_consultation_asking


def rating(key, **meta):
    return {"key": key, "kind": "likert5", "text": key, "meta": meta, "allow_not_relevant": True}


def test_barrier_ratings_follow_the_meta_subject_and_the_key_convention(org, alice):
    consultation = make_consultation_asking(org, alice, [
        rating("b1-imp", subject="barrier-1", measure="importance"),
        rating("b1-chg", subject="barrier-1", measure="changeability"),
        rating("barrier-2__importance"), rating("barrier-2__changeability"),
        {"key": "comment", "kind": "text", "text": "Anything else?"},
    ], template="barrier_prioritisation")
    for imp, chg in [(5, 2), (4, 2), (4, 3), (5, 3), (3, 1)]:
        add_response(consultation, {"b1-imp": imp, "b1-chg": chg, "barrier-2__importance": 2,
                                    "barrier-2__changeability": NR})
    ratings = stakeholder_barrier_ratings(consultation)
    assert ratings["barrier-1"] == (pytest.approx(4.2), pytest.approx(2.2), 5)
    # Nobody rated barrier 2's changeability except as "not relevant": withheld, not zero.
    assert ratings["barrier-2"] == (2.0, None, 5)
    assert set(ratings) == {"barrier-1", "barrier-2"}


def test_barrier_ratings_are_withheld_below_the_threshold(org, alice):
    consultation = make_consultation_asking(org, alice, [rating("barrier-1__importance")])
    for value in (5, 4, 3, 4):
        add_response(consultation, {"barrier-1__importance": value})
    assert stakeholder_barrier_ratings(consultation) == {"barrier-1": (None, None, 4)}


def test_apease_means_per_option_and_criterion(org, alice):
    consultation = make_consultation_asking(org, alice, [
        rating("o7-acc", subject="option-7", criterion="acceptability"),
        rating("option-7__side-effects"),
        rating("option-8__equity"),
    ], min_group_size=3)
    for values in [(5, 2, 4), (4, 2, None), (3, 2, 4)]:
        answers = {"o7-acc": values[0], "option-7__side-effects": values[1]}
        if values[2] is not None:
            answers["option-8__equity"] = values[2]
        add_response(consultation, answers)
    assert stakeholder_apease_means(consultation) == {
        "option-7": {"acceptability": 4.0, "side-effects": 2.0},
        "option-8": {"equity": None},  # only two answers, threshold three
    }
