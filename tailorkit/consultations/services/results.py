"""Results of a consultation (issue 4, point 7) and exports of its responses (issue 4, point 9).

Results
-------
Distributions, means with confidence intervals, breakdown by respondent group, free text, and the
figures the project steps read back.

Anonymity (issue 4, point 6) is applied here, on the server, before anything reaches a template,
an export of results or the projects app:

* A group's result for a question is withheld when fewer than ``consultation.min_group_size``
  respondents in that group answered it (free text included); the overall result likewise.
* Secondary suppression: if the withheld groups of a question add up to fewer than the threshold,
  the smallest shown group is withheld as well (and so on), because otherwise the withheld group
  could be worked out as "overall minus the groups shown" (the differencing problem of statistical
  disclosure control; Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 5).
* "Not relevant" answers are counted and shown, but do not count towards the threshold and never
  enter a mean (NoMAD treats them as missing; Finch et al. 2018).
* Free text is listed in alphabetical order, never in order of submission.

Bounded (issue 11, point 1): the figures come from counts of identical answers made by the database
(``selectors.answer_counts``), so the work and memory of a results page follow the number of
distinct answers, not of respondents; free text is shown ``TEXTS_PREVIEW`` answers per block, with
a page of all of one block's answers (``text_answers``, ``TEXTS_PER_PAGE`` at a time).

How step-template questions are tied to project objects (read by ``stakeholder_barrier_ratings`` and
``stakeholder_apease_means``; whoever builds the step templates writes them this way):

* Preferred: ``Question.meta = {"subject": "<subject item key>", "measure": "importance"}`` (or
  ``"changeability"``) for barrier prioritisation, and ``{"subject": "<subject item key>",
  "criterion": "<APEASE code>"}`` for strategy appraisal.
* Fallback when ``meta`` has no subject: the question key ``<subject item key>__<aspect>`` (two
  underscores), e.g. ``barrier-12__importance`` or ``option-7__side-effects``.
* The subject item key is an opaque string chosen by the caller; the projects app uses
  ``barrier-<pk>`` and ``option-<pk>``. Use 1–5 questions (``likert5``) so the stakeholders' means sit
  on the same scale as the team's ratings; any numeric question kind is averaged as it is.

Exports
-------
CSV and XLSX files of the responses, with a codebook.

One row per response, one column per answer value:

* single choice: the option code; multiple choice: one 1/0 column per option (``key__code``);
  ranking: one column per option holding its place (1 = first); Likert, 0–10 and number: the
  number; free text: the text. "Not relevant" is written as ``not_relevant``; an unanswered
  question is an empty cell. The codebook lists every column with its question, type and codes.
* Anonymous consultations export nothing identifying: no invitation, address, day or time, and
  the rows are shuffled so their order says nothing about who answered first. The minimum group
  size holds here as on the results page (``tailorkit.core.anonymity``): with fewer responses than
  the threshold there is no file at all, and a respondent's group and questionnaire version are
  written only where at least that many rows share them; otherwise the cell says ``withheld``.
  Identified consultations add the day, the invitee's address and the submission time.

Spreadsheet formula injection (OWASP "CSV Injection"): a text cell starting with ``=``, ``+``,
``-``, ``@``, tab or carriage return is run as a formula by Excel, LibreOffice and Google Sheets
when the file is opened, which can leak data or run commands. Respondents write free text freely,
so every text cell that starts with one of these characters gets a leading apostrophe, which
spreadsheets read as "this is text". Numbers are written as numbers and are never changed.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from tailorkit.core.anonymity import (
    secondary_note,
    threshold_for,
    withheld_groups,
    withheld_note,
)

from .. import charts, stats
from ..answering import choices_for
from ..models import QuestionKind
from ..selectors import (
    ALL,
    NO_GROUP,
    answer_counts,
    first_texts,
    responses_per_group,
    results_tallies,
    text_page,
)

NUMERIC_KINDS = {QuestionKind.LIKERT5, QuestionKind.LIKERT7, QuestionKind.SCALE0_10, QuestionKind.NUMBER}
ORDINAL_KINDS = {QuestionKind.LIKERT5, QuestionKind.LIKERT7, QuestionKind.SCALE0_10}
DISTRIBUTION_KINDS = {QuestionKind.SINGLE, QuestionKind.LIKERT5, QuestionKind.LIKERT7, QuestionKind.SCALE0_10,
                      QuestionKind.MULTIPLE}
BARRIER_MEASURES = ("importance", "changeability")
# APEASE criteria (Michie, Atkins & West 2014). Codes match the `apease` content pack; repeated here
# so that the results code stays independent of the projects app (only tailorkit/projects/stakeholders.py uses it).
APEASE = ("acceptability", "practicability", "effectiveness", "affordability", "side-effects", "equity")
# Free-text answers per block on the results page, and per page on the page of one question's answers.
TEXTS_PREVIEW = 10
TEXTS_PER_PAGE = 50


# --- Reading the data ------------------------------------------------------------------------

def questions_of(consultation, *, with_sections=False):
    """All questions answered in this consultation, as snapshot dicts in questionnaire order.

    The latest version's wording wins; questions that only older versions had follow at the end,
    so answers given to a since-removed question are still reported. With ``with_sections``, a
    list of ``(question, title of its section)`` instead.
    """
    return questions_in(list(consultation.questionnaire.versions.order_by("number")), with_sections=with_sections)


def questions_in(versions, *, with_sections=False):
    """``questions_of`` over a questionnaire's ``versions`` already read, oldest first (the project
    summary reads those of all its consultations in one query)."""
    latest, older, sections = {}, {}, {}
    for i, version in enumerate(versions):
        for section in version.snapshot.get("sections", []):
            for q in section.get("questions", []):
                (latest if i == len(versions) - 1 else older)[q["key"]] = q
                sections[q["key"]] = section.get("title", "")
    ordered = list(latest.values())
    ordered += [q for key, q in older.items() if key not in latest]
    return [(q, sections[q["key"]]) for q in ordered] if with_sections else ordered


def numeric_value(question, value):
    """The number an answer stands for, or None (not numeric, or a "not relevant" option).

    Numeric kinds are their value. Single-choice questions may give ``meta["scores"]`` (option code
    → number), as the instrument packs do; options without a score (NoMAD's three "not relevant"
    options) then stay out of every mean.
    """
    if value is None or isinstance(value, bool):
        return None
    kind = question["kind"]
    if kind in NUMERIC_KINDS:
        return float(value) if isinstance(value, int | float) else None
    scores = (question.get("meta") or {}).get("scores")
    if kind == QuestionKind.SINGLE and scores:
        score = scores.get(str(value))
        return float(score) if score is not None else None
    return None


def scale_bounds(question):
    """``{"low": …, "high": …}``: the lowest and highest value an answer can have (None where the
    question sets no limit), for ``stats.summary`` to keep intervals inside the scale."""
    kind = question["kind"]
    if kind in (QuestionKind.LIKERT5, QuestionKind.LIKERT7):
        return {"low": 1, "high": 5 if kind == QuestionKind.LIKERT5 else 7}
    if kind == QuestionKind.SCALE0_10:
        return {"low": 0, "high": 10}
    if kind == QuestionKind.NUMBER:
        return {"low": question.get("min_value"), "high": question.get("max_value")}
    scores = [float(s) for s in ((question.get("meta") or {}).get("scores") or {}).values() if s is not None]
    return {"low": min(scores), "high": max(scores)} if scores else {"low": None, "high": None}


def is_numeric(question):
    return question["kind"] in NUMERIC_KINDS or bool(
        question["kind"] == QuestionKind.SINGLE and (question.get("meta") or {}).get("scores"))


# --- Anonymity (the rule itself is in tailorkit.core.anonymity) ---------------------------------

def group_label(consultation, group):
    return consultation.group_label(group) if group else _("No group given")


# --- One block of results (one question, one set of respondents) ------------------------------

def _block(question, entries, *, chart=False):
    """Figures for one question over ``entries`` = [(value, not_relevant, how many), …] (already
    cleared by the anonymity rules). Free text gets its texts afterwards (``consultation_results``)."""
    kind = question["kind"]
    answered = [(v, n) for v, nr, n in entries if not nr and v is not None and n]
    total = sum(n for _v, n in answered)
    block = {"n": total, "not_relevant": sum(n for _v, nr, n in entries if nr), "withheld": False}
    labels = dict(choices_for(question))
    if kind in DISTRIBUTION_KINDS:
        counts = {code: 0 for code in labels}
        for value, n in answered:
            for v in (value if isinstance(value, list) else [value]):
                counts[str(v)] = counts.get(str(v), 0) + n
        block["distribution"] = [
            {"value": code, "label": labels.get(code, code), "count": count,
             "percent": 100 * count / total if total else 0}
            for code, count in counts.items()
        ]
        if kind == QuestionKind.SINGLE and not is_numeric(question):
            block["agreement"] = stats.modal_agreement(counts)
        if chart and answered:
            block["chart"] = charts.bar_chart(
                [{"label": d["label"], "value": d["count"]} for d in block["distribution"]],
                value_title=_("Number of answers"), counts=True)
    if kind == QuestionKind.RANKING:
        place_sum, times, first = defaultdict(int), defaultdict(int), defaultdict(int)
        for order, n in answered:
            for place, code in enumerate(order, start=1):
                place_sum[str(code)] += place * n
                times[str(code)] += n
                first[str(code)] += n if place == 1 else 0
        block["ranking"] = sorted(
            ({"value": code, "label": label, "mean_rank": place_sum[code] / times[code], "first": first[code]}
             for code, label in labels.items() if times[code]),
            key=lambda r: r["mean_rank"])
        if chart and block["ranking"]:
            block["chart"] = charts.bar_chart(
                [{"label": r["label"], "value": round(r["mean_rank"], 2)} for r in block["ranking"]],
                value_title=_("Average place (1 = first)"))
    if is_numeric(question):
        numbers = _numbers(question, answered)
        block["summary"] = stats.summary_of_counts(numbers, **scale_bounds(question))
        if kind in ORDINAL_KINDS or kind == QuestionKind.SINGLE:
            block["agreement"] = stats.agreement_of_counts(numbers)
    return block


def _numbers(question, answered):
    """``{number: how many}`` of the numeric answers among ``answered`` = [(value, how many)]."""
    numbers = defaultdict(int)
    for value, n in answered:
        x = numeric_value(question, value)
        if x is not None:
            numbers[x] += n
    return numbers


def question_result(consultation, question, entries, threshold, *, chart=True):
    """Overall and per-group results of one question, with the anonymity rules applied.

    ``entries``: [(group, value, not_relevant, how many), …] (``selectors.answer_counts``)."""
    overall_entries = [(v, nr, n) for _g, v, nr, n in entries]
    overall_n = sum(n for v, nr, n in overall_entries if not nr and v is not None)
    result = {"question": question, "key": question["key"], "kind": question["kind"],
              "kind_label": dict(QuestionKind.choices).get(question["kind"], question["kind"]), "groups": []}
    if overall_n < threshold:
        result["overall"] = {"n": overall_n, "withheld": True,
                             "note": withheld_note(threshold)}
    else:
        result["overall"] = _block(question, overall_entries, chart=chart)

    by_group = defaultdict(list)
    for group, value, nr, n in entries:
        by_group[group].append((value, nr, n))
    if len(by_group) < 2 and set(by_group) <= {NO_GROUP}:
        return result
    counts = {g: sum(n for v, nr, n in rows if not nr and v is not None) for g, rows in by_group.items()}
    hidden = withheld_groups(counts, threshold) if overall_n >= threshold else set(by_group)
    primary = {g for g, n in counts.items() if n < threshold}
    for group in sorted(by_group, key=lambda g: (g == NO_GROUP, str(group_label(consultation, g)))):
        label = group_label(consultation, group)
        if group in hidden:
            note = withheld_note(threshold, label) if group in primary else secondary_note(label)
            # No count either: "1 answer from the managers" already says who took part.
            result["groups"].append({"group": group, "label": label, "n": None, "withheld": True,
                                     "note": note})
        else:
            result["groups"].append({"group": group, "label": label, **_block(question, by_group[group])})
    return result


def _released_text_blocks(questions):
    """``{(question key, group or ALL): block}`` of the free-text blocks the anonymity rules let through."""
    blocks = {}
    for r in questions:
        if r["kind"] != QuestionKind.TEXT:
            continue
        if not r["overall"]["withheld"]:
            blocks[(r["key"], ALL)] = r["overall"]
        blocks.update({(r["key"], g["group"]): g for g in r["groups"] if not g["withheld"]})
    return blocks


def consultation_results(consultation, *, chart=True, texts=None):
    """Everything the results page shows, anonymity rules applied.

    Returns ``{"total", "threshold", "withheld", "note", "groups", "by_section", "questions":
    [question_result… with its "section" title]}``. Free-text blocks hold their first ``texts``
    answers in alphabetical order (all when None) and ``texts_more``, whether there are more (the
    page of one question's texts, ``text_answers``, shows the rest).
    """
    threshold = threshold_for(consultation.min_group_size)
    if texts is None:  # every text: read now (kept figures hold the first few texts only)
        per_group, asked, tallies = responses_per_group(consultation), None, None
    else:  # kept between views and brought up to date (selectors.results_tallies)
        asked = questions_of(consultation, with_sections=True)
        tallies = results_tallies(consultation, [q for q, _section in asked], texts)
        per_group = tallies["per_group"]
    total = sum(per_group.values())
    withheld = total < threshold
    questions = []
    if not withheld:
        asked = asked or questions_of(consultation, with_sections=True)
        counts = tallies["counts"] if tallies else answer_counts(consultation, [q for q, _section in asked])
        questions = [{**question_result(consultation, q, counts.get(q["key"], []), threshold, chart=chart),
                      "section": section} for q, section in asked]
        blocks = _released_text_blocks(questions)
        # Only the blocks the anonymity rules released get their texts.
        found_texts = ({pair: tallies["texts"].get(pair, []) for pair in blocks} if tallies
                       else first_texts(consultation, blocks, texts))
        for pair, found in found_texts.items():
            blocks[pair].update(texts=found, texts_more=blocks[pair]["n"] > len(found))
    return {
        "total": total, "threshold": threshold, "withheld": withheld,
        # Headings for the sections when there are several (a strategy appraisal asks the same six
        # questions about each strategy: only its section says which).
        "by_section": len({q["section"] for q in questions}) > 1,
        "note": withheld_note(threshold) if withheld and total else "",
        "groups": [(g, group_label(consultation, g), n) for g, n in sorted(per_group.items())],
        "questions": questions,
    }


class _TextAnswers:
    """The released texts of one block as a sequence Django's ``Paginator`` can page: its length
    comes from the counts, and a slice reads only the texts up to its end (``selectors.first_texts``)."""

    def __init__(self, consultation, key, group, n):
        self.consultation, self.key, self.group, self.n = consultation, key, group, n

    def __len__(self):
        return self.n

    def __getitem__(self, window):
        return text_page(self.consultation, self.key, self.group, window)


def text_answers(consultation, key, group=ALL):
    """One free-text question's answers, overall or of one group (``group``), for a paginator.

    ``{"question", "label" (the group's, or ""), "withheld", "note", "texts"}``: ``texts`` is a
    sequence to page (``_TextAnswers``), empty when the anonymity rules withhold the block. Raises
    ``LookupError`` when the consultation asks no such free-text question or has no such group.
    """
    question = next((q for q in questions_of(consultation) if q["key"] == key and q["kind"] == QuestionKind.TEXT),
                    None)
    if question is None:
        raise LookupError(key)
    threshold = threshold_for(consultation.min_group_size)
    # The counts kept between views (``results_tallies``), not a count over every answer each time.
    tallies = results_tallies(consultation, [question], TEXTS_PREVIEW)
    total = sum(tallies["per_group"].values())
    result = question_result(consultation, question, tallies["counts"].get(key, []), threshold, chart=False)
    if group == ALL:
        block, label = result["overall"], ""
    else:
        block = next((g for g in result["groups"] if g["group"] == group), None)
        if block is None:
            raise LookupError(group)
        label = block["label"]
    withheld = total < threshold or block["withheld"]
    return {"question": question, "label": label, "withheld": withheld,
            "note": withheld_note(threshold) if total < threshold else block.get("note", ""),
            "texts": [] if withheld else _TextAnswers(consultation, key, group, block["n"])}


# --- Figures the project steps read back ------------------------------------------------------

def subject_of(question):
    """``(subject item key, aspect)`` of a step-template question, or None (see module docstring)."""
    meta = question.get("meta") or {}
    subject, aspect = meta.get("subject"), meta.get("measure") or meta.get("criterion")
    if subject and aspect:
        return str(subject), str(aspect)
    key = question.get("key") or ""
    if "__" in key:
        subject, aspect = key.rsplit("__", 1)
        if subject and aspect:
            return subject, aspect
    return None


def _subject_means(consultation, aspects):
    """``{subject: {aspect: (mean or None, n)}}`` over all respondents; None when withheld."""
    threshold = threshold_for(consultation.min_group_size)
    tied = {q["key"]: (q, subject_of(q)) for q in questions_of(consultation)}
    tied = {key: (q, t) for key, (q, t) in tied.items() if t is not None and t[1] in aspects and is_numeric(q)}
    counts = answer_counts(consultation, [q for q, _t in tied.values()])
    found = defaultdict(dict)
    for key, (question, (subject, aspect)) in tied.items():
        numbers = _numbers(question, [(v, n) for _g, v, nr, n in counts.get(key, []) if not nr])
        n = sum(numbers.values())
        found[subject][aspect] = (stats.mean_of_counts(numbers) if n >= threshold else None, n)
    return found


def stakeholder_barrier_ratings(consultation):
    """``{subject_item_key: (mean_importance, mean_changeability, n)}`` from a barrier-prioritisation
    consultation. ``n`` is the larger of the two answer counts. A mean is None when fewer than
    ``min_group_size`` stakeholders rated that aspect (withheld to protect anonymity); the caller
    should then say so rather than show a number."""
    result = {}
    for subject, aspects in _subject_means(consultation, BARRIER_MEASURES).items():
        importance, n_i = aspects.get("importance", (None, 0))
        changeability, n_c = aspects.get("changeability", (None, 0))
        result[subject] = (importance, changeability, max(n_i, n_c))
    return result


def stakeholder_apease_means(consultation):
    """``{subject_item_key: {criterion: mean}}`` from a strategy-appraisal consultation; a mean is
    None when fewer than ``min_group_size`` stakeholders rated that criterion (withheld)."""
    return {subject: {criterion: mean for criterion, (mean, _n) in aspects.items()}
            for subject, aspects in _subject_means(consultation, APEASE).items()}


# --- Exports of the responses (module docstring, "Exports") ---------------------------------

# Written in exports.py (streamed, issue 11); their names stay importable from here. At the end, not
# the top: exports.py reads ``questions_of`` from this module when it runs.
from .exports import (  # noqa: E402
    FORMULA_STARTS,
    NOT_RELEVANT,
    codebook_rows,
    export_codebook_csv,
    export_responses_csv,
    export_responses_xlsx,
    export_responses_xlsx_file,
    export_rows,
    neutralise,
    stream_codebook_csv,
    stream_responses_csv,
)

__all__ = ["FORMULA_STARTS", "NOT_RELEVANT", "codebook_rows", "export_codebook_csv", "export_responses_csv",
           "export_responses_xlsx", "export_responses_xlsx_file", "export_rows", "neutralise", "stream_codebook_csv",
           "stream_responses_csv"]
