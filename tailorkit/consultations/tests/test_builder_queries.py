"""The builder's writes send as many queries for a long questionnaire as for a short one (issue 11:
adding a question read the section of every earlier question, 1,018 queries with 1,000 questions).

Each write is counted on two questionnaires that differ only in how many questions come before the
one written; the counts must be equal.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tailorkit.consultations.models import Question
from tailorkit.consultations.services import builder

SIZES = (2, 12)


def _questionnaire(org, user, n):
    """Two sections; the first with ``n`` choice questions, each shown depending on the one before."""
    questionnaire = builder.questionnaire_create(organisation=org, actor=user, title=f"{n} questions",
                                                 sections=["First", "Second"])
    first, _second = questionnaire.sections.order_by("position")
    for i in range(n):
        condition = {"question": f"q{i - 1}", "equals": "yes"} if i else {}
        builder.question_create(section=first, actor=user, key=f"q{i}", kind="single", text=f"Question {i}",
                                options=[{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
                                show_if=condition)
    return questionnaire


def _count(write):
    with CaptureQueriesContext(connection) as ctx:
        write()
    return len(ctx.captured_queries)


def _counts(org, user, write):
    """``{n: queries of write(questionnaire) on a questionnaire of n questions}``."""
    counts = {}
    for n in SIZES:
        questionnaire = _questionnaire(org, user, n)
        counts[n] = _count(lambda q=questionnaire: write(q))
    return counts


def test_adding_a_question_does_not_read_each_earlier_one(org, alice):
    def add(questionnaire):
        section = questionnaire.sections.order_by("position").last()
        builder.question_create(section=section, actor=alice, kind="text", text="Anything else?",
                                show_if={"question": "q0", "equals": "yes"})

    counts = _counts(org, alice, add)
    assert counts[SIZES[0]] == counts[SIZES[1]], counts


def test_editing_a_question_does_not_read_each_earlier_one(org, alice):
    def edit(questionnaire):
        question = questionnaire.questions.get(key="q1")
        builder.question_update(question=question, actor=alice, version=question.version, text="Reworded",
                                show_if={"question": "q0", "equals": "no"})

    counts = _counts(org, alice, edit)
    assert counts[SIZES[0]] == counts[SIZES[1]], counts


def test_renaming_a_question_rewrites_its_dependants_in_one_go(org, alice):
    """Every question with a condition on the renamed one is rewritten, in the same number of
    queries whether one or many depend on it."""
    def rename(questionnaire):
        question = questionnaire.questions.get(key="q0")
        builder.question_update(question=question, actor=alice, version=question.version, key="first")

    def dependants_of_q0(n):
        # Questions 1..n-1 all depend on the first one here.
        questionnaire = builder.questionnaire_create(organisation=org, actor=alice, title=f"fan {n}")
        section = questionnaire.sections.get()
        options = [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]
        builder.question_create(section=section, actor=alice, key="q0", kind="single", text="First", options=options)
        for i in range(1, n):
            builder.question_create(section=section, actor=alice, key=f"q{i}", kind="text", text=f"Q {i}",
                                    show_if={"question": "q0", "equals": "yes"})
        return questionnaire

    counts = {}
    for n in SIZES:
        questionnaire = dependants_of_q0(n)
        counts[n] = _count(lambda q=questionnaire: rename(q))
        conditions = [q.show_if["question"] for q in questionnaire.questions.exclude(key="first")]
        assert conditions == ["first"] * (n - 1)
        # The history keeps the rewrite of each dependant (who changed it, and what).
        changed = Question.history.filter(questionnaire=questionnaire, history_type="~", show_if__question="first")
        assert changed.count() == n - 1
        assert {h.history_user for h in changed} == {alice}
    assert counts[SIZES[0]] == counts[SIZES[1]], counts


@pytest.mark.parametrize("direction", ["up", "down"])
def test_moving_a_question_renumbers_the_section_in_one_go(org, alice, direction):
    """After a delete the positions have a gap, so a move renumbers every question of the section."""
    def move(n):
        questionnaire = builder.questionnaire_create(organisation=org, actor=alice, title=f"move {n}")
        section = questionnaire.sections.get()
        for i in range(n + 1):
            builder.question_create(section=section, actor=alice, key=f"t{i}", kind="text", text=f"T {i}")
        builder.question_delete(question=section.questions.get(key="t0"), actor=alice)
        question = section.questions.get(key=f"t{n}" if direction == "up" else "t1")  # last or first
        with CaptureQueriesContext(connection) as ctx:
            builder.question_move(question=question, actor=alice, direction=direction)
        keys = [f"t{i}" for i in range(1, n + 1)]
        moved = keys[:-2] + [keys[-1], keys[-2]] if direction == "up" else [keys[1], keys[0]] + keys[2:]
        assert list(section.questions.order_by("position").values_list("key", "position")) == list(
            zip(moved, range(n), strict=True))
        return len(ctx.captured_queries)

    counts = {n: move(n) for n in SIZES}
    assert counts[SIZES[0]] == counts[SIZES[1]], counts


def test_moving_a_question_keeps_positions_in_order_and_writes_history(org, alice):
    questionnaire = _questionnaire(org, alice, 3)
    second = questionnaire.sections.order_by("position").last()
    for key in ("a", "b", "c"):
        builder.question_create(section=second, actor=alice, key=key, kind="text", text=key)
    question = second.questions.get(key="c")
    builder.question_move(question=question, actor=alice, direction="up")
    assert list(second.questions.order_by("position").values_list("key", "position")) == [
        ("a", 0), ("c", 1), ("b", 2)]
    moved = Question.history.filter(id=question.pk).order_by("-history_date").first()
    assert moved.position == 1 and moved.history_user == alice
    assert questionnaire.latest_version.questions()[-2]["key"] == "c"
