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

import csv
import io
import random
from collections import defaultdict

import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tailorkit.core.anonymity import (
    WITHHELD,
    mask_rows,
    secondary_note,
    threshold_for,
    total_withheld,
    withheld_groups,
    withheld_note,
)
from tailorkit.core.services import audit_record

from .. import charts, stats
from ..answering import choices_for
from ..models import Answer, QuestionKind, Response

NUMERIC_KINDS = {QuestionKind.LIKERT5, QuestionKind.LIKERT7, QuestionKind.SCALE0_10, QuestionKind.NUMBER}
ORDINAL_KINDS = {QuestionKind.LIKERT5, QuestionKind.LIKERT7, QuestionKind.SCALE0_10}
DISTRIBUTION_KINDS = {QuestionKind.SINGLE, QuestionKind.LIKERT5, QuestionKind.LIKERT7, QuestionKind.SCALE0_10,
                      QuestionKind.MULTIPLE}
BARRIER_MEASURES = ("importance", "changeability")
# APEASE criteria (Michie, Atkins & West 2014). Codes match the `apease` content pack; repeated here
# so that the results code stays independent of the projects app (only tailorkit/projects/stakeholders.py uses it).
APEASE = ("acceptability", "practicability", "effectiveness", "affordability", "side-effects", "equity")
NO_GROUP = ""


# --- Reading the data ------------------------------------------------------------------------

def questions_of(consultation, *, with_sections=False):
    """All questions answered in this consultation, as snapshot dicts in questionnaire order.

    The latest version's wording wins; questions that only older versions had follow at the end,
    so answers given to a since-removed question are still reported. With ``with_sections``, a
    list of ``(question, title of its section)`` instead.
    """
    versions = list(consultation.questionnaire.versions.order_by("number"))
    latest, older, sections = {}, {}, {}
    for i, version in enumerate(versions):
        for section in version.snapshot.get("sections", []):
            for q in section.get("questions", []):
                (latest if i == len(versions) - 1 else older)[q["key"]] = q
                sections[q["key"]] = section.get("title", "")
    ordered = list(latest.values())
    ordered += [q for key, q in older.items() if key not in latest]
    return [(q, sections[q["key"]]) for q in ordered] if with_sections else ordered


def _answers(consultation):
    """``{question_key: [(group, value, not_relevant), …]}`` and ``{group: number of responses}``."""
    groups = dict(Response.objects.filter(consultation=consultation).values_list("pk", "group"))
    by_key = defaultdict(list)
    rows = Answer.objects.filter(response__consultation=consultation).values_list(
        "response_id", "question_key", "value", "not_relevant")
    for response_id, key, value, not_relevant in rows:
        by_key[key].append((groups.get(response_id) or NO_GROUP, value, not_relevant))
    per_group = defaultdict(int)
    for group in groups.values():
        per_group[group or NO_GROUP] += 1
    return by_key, dict(per_group)


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
    """Figures for one question over ``entries`` = [(value, not_relevant), …] (already cleared by
    the anonymity rules)."""
    kind = question["kind"]
    answered = [v for v, nr in entries if not nr and v is not None]
    block = {"n": len(answered), "not_relevant": sum(1 for _v, nr in entries if nr), "withheld": False}
    labels = dict(choices_for(question))
    if kind in DISTRIBUTION_KINDS:
        counts = {code: 0 for code in labels}
        for value in answered:
            for v in (value if isinstance(value, list) else [value]):
                counts[str(v)] = counts.get(str(v), 0) + 1
        block["distribution"] = [
            {"value": code, "label": labels.get(code, code), "count": count,
             "percent": 100 * count / len(answered) if answered else 0}
            for code, count in counts.items()
        ]
        if kind == QuestionKind.SINGLE and not is_numeric(question):
            block["agreement"] = stats.modal_agreement(counts)
        if chart and answered:
            block["chart"] = charts.bar_chart(
                [{"label": d["label"], "value": d["count"]} for d in block["distribution"]],
                value_title=_("Number of answers"), counts=True)
    if kind == QuestionKind.RANKING:
        places = defaultdict(list)
        for order in answered:
            for place, code in enumerate(order, start=1):
                places[str(code)].append(place)
        block["ranking"] = sorted(
            ({"value": code, "label": label, "mean_rank": sum(places[code]) / len(places[code]),
              "first": places[code].count(1)} for code, label in labels.items() if places[code]),
            key=lambda r: r["mean_rank"])
        if chart and block["ranking"]:
            block["chart"] = charts.bar_chart(
                [{"label": r["label"], "value": round(r["mean_rank"], 2)} for r in block["ranking"]],
                value_title=_("Average place (1 = first)"))
    if is_numeric(question):
        numbers = [x for x in (numeric_value(question, v) for v in answered) if x is not None]
        block["summary"] = stats.summary(numbers, **scale_bounds(question))
        if kind in ORDINAL_KINDS or kind == QuestionKind.SINGLE:
            block["agreement"] = stats.agreement(numbers)
    if kind == QuestionKind.TEXT:
        # Alphabetical: the order of submission could point to who wrote what.
        block["texts"] = sorted((str(v) for v in answered), key=str.casefold)
    return block


def question_result(consultation, question, entries, threshold, *, chart=True):
    """Overall and per-group results of one question, with the anonymity rules applied."""
    overall_entries = [(v, nr) for _g, v, nr in entries]
    overall_n = sum(1 for v, nr in overall_entries if not nr and v is not None)
    result = {"question": question, "key": question["key"], "kind": question["kind"],
              "kind_label": dict(QuestionKind.choices).get(question["kind"], question["kind"]), "groups": []}
    if overall_n < threshold:
        result["overall"] = {"n": overall_n, "withheld": True,
                             "note": withheld_note(threshold)}
    else:
        result["overall"] = _block(question, overall_entries, chart=chart)

    by_group = defaultdict(list)
    for group, value, nr in entries:
        by_group[group].append((value, nr))
    if len(by_group) < 2 and set(by_group) <= {NO_GROUP}:
        return result
    counts = {g: sum(1 for v, nr in rows if not nr and v is not None) for g, rows in by_group.items()}
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


def consultation_results(consultation, *, chart=True):
    """Everything the results page shows, anonymity rules applied.

    Returns ``{"total", "threshold", "withheld", "note", "groups", "by_section", "questions":
    [question_result… with its "section" title]}``.
    """
    threshold = threshold_for(consultation.min_group_size)
    by_key, per_group = _answers(consultation)
    total = sum(per_group.values())
    withheld = total < threshold
    questions = [] if withheld else [
        {**question_result(consultation, q, by_key.get(q["key"], []), threshold, chart=chart), "section": section}
        for q, section in questions_of(consultation, with_sections=True)
    ]
    return {
        "total": total, "threshold": threshold, "withheld": withheld,
        # Headings for the sections when there are several (a strategy appraisal asks the same six
        # questions about each strategy: only its section says which).
        "by_section": len({q["section"] for q in questions}) > 1,
        "note": withheld_note(threshold) if withheld and total else "",
        "groups": [(g, group_label(consultation, g), n) for g, n in sorted(per_group.items())],
        "questions": questions,
    }


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
    by_key, _groups = _answers(consultation)
    found = defaultdict(dict)
    for question in questions_of(consultation):
        tied = subject_of(question)
        if tied is None or tied[1] not in aspects or not is_numeric(question):
            continue
        numbers = [x for _g, v, nr in by_key.get(question["key"], []) if not nr
                   for x in [numeric_value(question, v)] if x is not None]
        mean = stats.summary(numbers)["mean"] if len(numbers) >= threshold else None
        found[tied[0]][tied[1]] = (mean, len(numbers))
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

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOT_RELEVANT = "not_relevant"


def neutralise(value):
    """Make a text cell safe to open in a spreadsheet (see module docstring)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _columns(question):
    """``[(column name, option code or None)]`` for one question."""
    key = question["key"]
    if question["kind"] in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
        return [(f"{key}__{code}", code) for code, _label in choices_for(question)]
    return [(key, None)]


def _cells(question, answer):
    """The cell values of one question for one response (``answer`` = (value, not_relevant) or None)."""
    columns = _columns(question)
    if answer is None:
        return [""] * len(columns)
    value, not_relevant = answer
    if not_relevant:
        return [NOT_RELEVANT] * len(columns)
    kind = question["kind"]
    if kind == QuestionKind.MULTIPLE:
        chosen = {str(v) for v in value or []}
        return [1 if code in chosen else 0 for _c, code in columns]
    if kind == QuestionKind.RANKING:
        place = {str(v): i for i, v in enumerate(value or [], start=1)}
        return [place.get(code, "") for _c, code in columns]
    if isinstance(value, bool) or value is None:
        return [""]
    if isinstance(value, int | float):
        return [value]
    return [neutralise(str(value))]


def _identified(consultation):
    return not consultation.anonymous


def _header(consultation, questions):
    head = ["respondent", "group", "questionnaire_version"]
    if _identified(consultation):
        head += ["submitted_on", "email", "submitted_at"]
    for q in questions:
        head += [c for c, _code in _columns(q)]
    return head


def export_rows(consultation):
    """``(header, rows)`` of the response table; raises ValidationError when there is nothing."""
    responses = list(Response.objects.filter(consultation=consultation)
                     .select_related("version", "invitation").order_by("submitted_on", "pk"))
    if not responses:
        raise ValidationError(_("There are no responses to export yet. The export becomes available once "
                                "the first response has been submitted."))
    if consultation.anonymous:
        threshold = threshold_for(consultation.min_group_size)
        if total_withheld(len(responses), threshold):
            raise ValidationError(_(
                "This consultation is anonymous and has fewer than %(k)s responses, so the responses cannot "
                "be downloaded yet: with so few, people could be recognised from their answers.")
                % {"k": threshold})
        # Shuffle: the database order would tell who answered first.
        random.SystemRandom().shuffle(responses)
        released = mask_rows([(r.group, r.version.number) for r in responses], threshold)
    else:
        released = [(r.group, r.version.number) for r in responses]
    questions = questions_of(consultation)
    answers = {}
    for response_id, key, value, nr in Answer.objects.filter(response__consultation=consultation).values_list(
            "response_id", "question_key", "value", "not_relevant"):
        answers[(response_id, key)] = (value, nr)
    rows = []
    for number, (r, (group, version)) in enumerate(zip(responses, released, strict=True), start=1):
        row = [number, neutralise(group), version]
        if _identified(consultation):
            email = r.invitation.email if r.invitation_id and r.invitation.email else ""
            row += [r.submitted_on.isoformat(), neutralise(email),
                    r.submitted_at.isoformat() if r.submitted_at else ""]
        for q in questions:
            row += _cells(q, answers.get((r.pk, q["key"])))
        rows.append(row)
    return [neutralise(h) for h in _header(consultation, questions)], rows


def codebook_rows(consultation):
    """One row per column of the response table: column, question key, question, type, codes."""
    head = ["column", "question_key", "question", "type", "codes"]
    withheld = [f"{WITHHELD} = " + _("not shown: too few people share this value to keep them anonymous")
                ] if consultation.anonymous else []
    fixed = [
        ["respondent", "", _("Row number in this file (not an identifier)"), "number", ""],
        ["group", "", _("Respondent group"), "code", "; ".join(
            [f"{g} = {consultation.group_label(g)}" for g in consultation.groups or []] + withheld)],
        ["questionnaire_version", "", _("Version of the questionnaire that was answered"), "number",
         withheld[0] if withheld else ""],
    ]
    if _identified(consultation):
        fixed += [["submitted_on", "", _("Day the response was submitted"), "date", ""],
                  ["email", "", _("Address of the invited person"), "text", ""],
                  ["submitted_at", "", _("Time of submission"), "date-time", ""]]
    rows = list(fixed)
    common = f"{NOT_RELEVANT} = " + _("answered “not relevant”") + "; " + _("empty = not answered")
    for q in questions_of(consultation):
        kind = q["kind"]
        labels = choices_for(q)
        for column, code in _columns(q):
            if kind == QuestionKind.MULTIPLE:
                codes = _("1 = chosen, 0 = not chosen") + f" ({dict(labels)[code]})"
            elif kind == QuestionKind.RANKING:
                codes = _("place given to “%(label)s” (1 = first)") % {"label": dict(labels)[code]}
            elif labels:
                codes = "; ".join(f"{v} = {label}" for v, label in labels)
            elif kind == QuestionKind.NUMBER:
                codes = _("a number")
            else:
                codes = _("free text")
            rows.append([column, q["key"], q["text"], kind, f"{codes}; {common}"])
    return head, [[neutralise(c) for c in row] for row in rows]


def _csv_bytes(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    # A byte-order mark so Excel opens UTF-8 text with accents intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _audit(consultation, actor, request, fmt, n):
    audit_record(action="consultation.exported", actor=actor, organisation=consultation.organisation,
                 target=consultation.title, request=request,
                 details={"uuid": str(consultation.uuid), "format": fmt, "responses": n,
                          "anonymous": consultation.anonymous})


def export_responses_csv(*, consultation, actor, request=None):
    header, rows = export_rows(consultation)
    _audit(consultation, actor, request, "responses.csv", len(rows))
    return _csv_bytes(header, rows)


def export_codebook_csv(*, consultation, actor, request=None):
    header, rows = codebook_rows(consultation)
    _audit(consultation, actor, request, "codebook.csv", 0)
    return _csv_bytes(header, rows)


def export_responses_xlsx(*, consultation, actor, request=None):
    """An XLSX workbook with the sheets "Responses" and "Codebook"."""
    header, rows = export_rows(consultation)
    book_header, book_rows = codebook_rows(consultation)
    out = io.BytesIO()
    # strings_to_formulas/urls off: XlsxWriter would otherwise turn "=…" text into live formulas.
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    for name, head, body in (("Responses", header, rows), ("Codebook", book_header, book_rows)):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, head, bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(body, start=1):
            for c, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    workbook.close()
    _audit(consultation, actor, request, "responses.xlsx", len(rows))
    return out.getvalue()
