"""Reading, checking and showing answers to a frozen questionnaire version (no database writes).

Everything here works on the snapshot dicts of ``QuestionnaireVersion`` so that the respondent
form, the preview, the submit service, the results and the exports all agree on one set of rules.
Show-if is evaluated here, on the server, so the form works without JavaScript.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import CHOICE_KINDS, QuestionKind

NOT_RELEVANT = "__not_relevant__"
TEXT_MAX = 5000

# Our own wording for the points of the agreement scales (issue 4: no borrowed sentences).
LIKERT_LABELS = {
    5: [gettext_lazy("Strongly disagree"), gettext_lazy("Disagree"), gettext_lazy("Neither agree nor disagree"),
        gettext_lazy("Agree"), gettext_lazy("Strongly agree")],
    7: [gettext_lazy("Strongly disagree"), gettext_lazy("Disagree"), gettext_lazy("Somewhat disagree"),
        gettext_lazy("Neither agree nor disagree"), gettext_lazy("Somewhat agree"), gettext_lazy("Agree"),
        gettext_lazy("Strongly agree")],
}


def field_name(question):
    return f"q-{question['key']}"


def choices_for(question):
    """The (value, label) pairs a respondent can pick, values as strings as they travel in forms."""
    kind = question["kind"]
    options = question.get("options") or []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING):
        return [(str(o["value"]), o["label"]) for o in options]
    if kind in (QuestionKind.LIKERT5, QuestionKind.LIKERT7):
        n = 5 if kind == QuestionKind.LIKERT5 else 7
        labels = {str(o["value"]): o["label"] for o in options}
        return [(str(i), labels.get(str(i)) or LIKERT_LABELS[n][i - 1]) for i in range(1, n + 1)]
    if kind == QuestionKind.SCALE0_10:
        return [(str(i), str(i)) for i in range(0, 11)]
    return []


def possible_values(question):
    """Values a show-if condition on this question may test, or None if it cannot be a condition."""
    if question["kind"] in (QuestionKind.NUMBER, QuestionKind.TEXT, QuestionKind.RANKING):
        return None
    return [v for v, _label in choices_for(question)]


def _as_number(text):
    try:
        number = float(text.replace(",", "."))
    except (AttributeError, ValueError):
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def parse_answer(question, data):
    """Read one question's answer from submitted form data.

    Returns ``(entry, error)``: ``entry`` is ``{"value": …, "not_relevant": bool}`` or None when
    the question was left unanswered; ``error`` is a message for the respondent or None. A value
    that the form never offered (a tampered request) is an error, never silently dropped.
    """
    name = field_name(question)
    kind = question["kind"]
    allowed = [v for v, _label in choices_for(question)]
    nr_checkbox = data.get(f"{name}-nr") == "1"

    if kind in CHOICE_KINDS:
        raw = (data.get(name) or "").strip()
        if raw == NOT_RELEVANT or (nr_checkbox and not raw):
            return _not_relevant(question)
        if not raw:
            return None, None
        if raw not in allowed:
            return None, _("This answer is not one of the choices offered. Please choose again.")
        value = raw if kind == QuestionKind.SINGLE else int(raw)
        return {"value": value, "not_relevant": False}, None

    if kind == QuestionKind.MULTIPLE:
        raws = [v.strip() for v in data.getlist(name) if v.strip()] if hasattr(data, "getlist") else []
        if nr_checkbox and not raws:
            return _not_relevant(question)
        if not raws:
            return None, None
        if any(v not in allowed for v in raws) or len(set(raws)) != len(raws):
            return None, _("One of these answers is not among the choices offered. Please choose again.")
        return {"value": [v for v in allowed if v in raws], "not_relevant": False}, None

    if kind == QuestionKind.RANKING:
        places = {v: (data.get(f"{name}-{v}") or "").strip() for v in allowed}
        if nr_checkbox and not any(places.values()):
            return _not_relevant(question)
        if not any(places.values()):
            return None, None
        n = len(allowed)
        valid = {str(i) for i in range(1, n + 1)}
        if any(p not in valid for p in places.values()) or len(set(places.values())) != n:
            return None, _("Give every item a different place, from 1 (first) to %(n)s (last).") % {"n": n}
        return {"value": sorted(allowed, key=lambda v: int(places[v])), "not_relevant": False}, None

    raw = (data.get(name) or "").strip()
    if nr_checkbox and not raw:
        return _not_relevant(question)
    if not raw:
        return None, None
    if kind == QuestionKind.NUMBER:
        number = _as_number(raw)
        if number is None:
            return None, _("Enter a number, for example 12 or 3.5.")
        low, high = question.get("min_value"), question.get("max_value")
        if (low is not None and number < low) or (high is not None and number > high):
            return None, _range_message(low, high)
        return {"value": number, "not_relevant": False}, None
    if len(raw) > TEXT_MAX:
        return None, ngettext("Please keep your answer under %(n)s character; it has %(len)s.",
                              "Please keep your answer under %(n)s characters; it has %(len)s.",
                              TEXT_MAX) % {"n": TEXT_MAX, "len": len(raw)}
    return {"value": raw, "not_relevant": False}, None


def _not_relevant(question):
    if not question.get("allow_not_relevant"):
        return None, _("“Not relevant” is not offered for this question. Please give an answer.")
    return {"value": None, "not_relevant": True}, None


def _num(x):
    return int(x) if float(x).is_integer() else x


def _range_message(low, high):
    if low is not None and high is not None:
        return _("Enter a number from %(low)s to %(high)s.") % {"low": _num(low), "high": _num(high)}
    if low is not None:
        return _("Enter a number of at least %(low)s.") % {"low": _num(low)}
    return _("Enter a number of at most %(high)s.") % {"high": _num(high)}


def condition_met(condition, entry):
    """Is a show-if ``condition`` satisfied by the answer ``entry`` of the question it refers to?"""
    if not entry or entry.get("not_relevant") or entry.get("value") is None:
        return False
    value = entry["value"]
    given = {str(v) for v in value} if isinstance(value, list) else {str(value)}
    if "in" in condition:
        wanted = {str(v) for v in condition["in"]}
    else:
        wanted = {str(condition.get("equals"))}
    return bool(given & wanted)


def visible_keys(questions, answers):
    """Keys of the questions shown for these answers, in order. A question is shown when it has no
    condition, or when the earlier question it depends on is itself shown and answered as required
    (so hiding a question also hides everything that depends on it)."""
    shown = set()
    for q in questions:
        cond = q.get("show_if") or {}
        if not cond or (cond.get("question") in shown and condition_met(cond, answers.get(cond["question"]))):
            shown.add(q["key"])
    return shown


def visible_answers(questions, answers):
    """The answers that count: those to shown questions (answers behind a now-hidden condition drop)."""
    shown = visible_keys(questions, answers)
    return {k: v for k, v in answers.items() if k in shown}


def pages(snapshot, answers):
    """Indexes of the sections that have at least one shown question for these answers."""
    questions = [q for s in snapshot["sections"] for q in s["questions"]]
    shown = visible_keys(questions, answers)
    return [i for i, s in enumerate(snapshot["sections"]) if any(q["key"] in shown for q in s["questions"])]


def check_page(questions, data, answers):
    """Read the answers to ``questions`` (one page) from ``data`` into a copy of ``answers``.

    Returns ``(answers, errors)``. Answers to later questions on the same page that depend on an
    earlier one are judged with the new answers, so the server gives the same result as a
    respondent with JavaScript would see.
    """
    answers = dict(answers)
    errors = {}
    for q in questions:
        entry, error = parse_answer(q, data)
        if error:
            errors[q["key"]] = error
            answers.pop(q["key"], None)
        elif entry is None:
            answers.pop(q["key"], None)
        else:
            answers[q["key"]] = entry
    return answers, errors


def nothing_answered(questions, answers):
    """True when none of the shown questions has an answer ("not relevant" counts as one). A form
    sent like that is refused whatever the required flags say: an empty response would count as a
    finished one, mark the invitation completed and close the person's link."""
    return not visible_answers(questions, answers)


def nothing_answered_message():
    return _("You have not answered any question yet. Please answer at least one before you send. "
             "Nothing has been sent.")


def missing_required(questions, answers):
    """Errors for shown, required questions without an answer ("not relevant" counts as one)."""
    shown = visible_keys(questions, answers)
    return {q["key"]: _("Please answer this question.") for q in questions
            if q.get("required") and q["key"] in shown and q["key"] not in answers}


def display_value(question, entry):
    """An answer in words, for review pages and results."""
    if not entry:
        return ""
    if entry.get("not_relevant"):
        return _("Not relevant")
    labels = dict(choices_for(question))
    value = entry["value"]
    if isinstance(value, list):
        return ", ".join(str(labels.get(str(v), v)) for v in value)
    return str(labels.get(str(value), value))


def page_items(section, shown, answers, errors):
    """What the template needs for each shown question of one page."""
    items = []
    for q in section["questions"]:
        if q["key"] not in shown:
            continue
        entry = answers.get(q["key"]) or {}
        value = entry.get("value")
        values = value if isinstance(value, list) else ([] if value is None else [value])
        selected = {str(v) for v in values}
        places = {str(v): i for i, v in enumerate(values, start=1)} if q["kind"] == QuestionKind.RANKING else {}
        choices = choices_for(q)
        items.append({
            "q": q, "name": field_name(q), "error": errors.get(q["key"]),
            "radio": q["kind"] in CHOICE_KINDS, "checkboxes": q["kind"] == QuestionKind.MULTIPLE,
            # Agreement scales are laid out in a row on wide screens, one column per point.
            "likert": q["kind"] in (QuestionKind.LIKERT5, QuestionKind.LIKERT7),
            "columns": len(choices) + (1 if q.get("allow_not_relevant") else 0),
            "choices": [(v, label, v in selected, places.get(v)) for v, label in choices],
            "positions": range(1, len(q.get("options") or []) + 1),
            "not_relevant": bool(entry.get("not_relevant")), "nr_value": NOT_RELEVANT,
            "text": "" if value is None or isinstance(value, list) else str(value),
        })
    return items


def error_list(errors, questions):
    texts = {q["key"]: q["text"] for q in questions}
    return [{"key": k, "anchor": "group" if k == "__group__" else (f"q-{k}" if k in texts else ""),
             "question": texts.get(k, ""), "message": m} for k, m in errors.items()]
