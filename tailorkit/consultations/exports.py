"""Exports of responses (issue 4, point 9): CSV and XLSX with a codebook.

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

import xlsxwriter
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tailorkit.core.anonymity import WITHHELD, mask_rows, threshold_for, total_withheld
from tailorkit.core.services import audit_record

from .answering import choices_for
from .models import Answer, QuestionKind, Response
from .results import questions_of

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
