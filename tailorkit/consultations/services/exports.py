"""Exports of a consultation's responses: CSV and XLSX files and their codebook (issue 4, point 9;
streamed since issue 11, point 4). What the files hold, and why, is in the docstring of
``results.py`` ("Exports"); the names here stay importable from there.

Memory stays flat in the number of responses (issue 11 measured 400 MB for 10,000 built in memory):

* Only the order of the rows is held for the whole file: their ids in an ``array`` (8 bytes each).
  The responses and their answers are then read ``CHUNK`` at a time, as plain values (no model
  objects, and no questionnaire snapshot per response: ``version__number`` is all a row needs), and
  each chunk is written and let go.
* For an anonymous consultation the minimum group size is worked out from the number of responses
  per (group, questionnaire version), one aggregate query, and ``tailorkit.core.anonymity.mask_rows``
  still makes the decision, as for every other output.
* The CSV is produced as a generator of byte chunks (``StreamingHttpResponse``); the XLSX is written
  by XlsxWriter in ``constant_memory`` mode (each row goes to a temporary file as it is written)
  into a temporary file that the view sends in blocks.

The checks that refuse an export (no responses yet; anonymous with fewer responses than the
threshold) run before the first byte, so a refusal is still a message on the results page, and the
audit event is recorded then too.
"""

import csv
import io
import random
import tempfile
from array import array
from itertools import islice

import xlsxwriter
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext as _

from tailorkit.core.anonymity import WITHHELD, mask_rows, threshold_for, total_withheld
from tailorkit.core.services import audit_record
from tailorkit.core.spreadsheets import BOM, FORMULA_STARTS, neutralise  # noqa: F401 (FORMULA_STARTS: re-exported)

from ..answering import choices_for
from ..models import Answer, QuestionKind, Response

NOT_RELEVANT = "not_relevant"
# Responses read, written and let go at a time: two queries per chunk, memory bounded by it.
CHUNK = 500
XLSX_BLOCK = 64 * 1024


def _questions(consultation):
    # Imported here, not at the top: results.py re-exports this module's names at its end.
    from .results import questions_of

    return questions_of(consultation)


def _columns(question):
    """``[(column name, option code or None)]`` for one question."""
    key = question["key"]
    if question["kind"] in (QuestionKind.MULTIPLE, QuestionKind.RANKING):
        return [(f"{key}__{code}", code) for code, _label in choices_for(question)]
    return [(key, None)]


def _cells(question, columns, answer):
    """The cell values of one question for one response (``answer`` = (value, not_relevant) or None)."""
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


def _header(consultation, layout):
    head = ["respondent", "group", "questionnaire_version"]
    if _identified(consultation):
        head += ["submitted_on", "email", "submitted_at"]
    for _q, columns in layout:
        head += [c for c, _code in columns]
    return [neutralise(h) for h in head]


class ResponseTable:
    """The response table of one consultation, checked at once and read lazily: ``header``, ``count``
    and ``rows()``, an iterator that reads ``CHUNK`` responses at a time. Raises ValidationError when
    there is nothing that may be exported."""

    def __init__(self, consultation):
        self.consultation = consultation
        responses = Response.objects.filter(consultation=consultation)
        if consultation.anonymous:
            # One aggregate gives both the total and what the mask needs: how many rows share each
            # (group, version). mask_rows decides per value from these counts alone, so it is given
            # one reference per row to the few distinct keys, not one object per response.
            shared = {(g, v): n for g, v, n in responses.order_by().values_list("group", "version__number")
                      .annotate(n=Count("pk"))}
            self.count = sum(shared.values())
        else:
            self.count = responses.count()
        if not self.count:
            raise ValidationError(_("There are no responses to export yet. The export becomes available once "
                                    "the first response has been submitted."))
        self.released = None
        if consultation.anonymous:
            threshold = threshold_for(consultation.min_group_size)
            if total_withheld(self.count, threshold):
                raise ValidationError(_(
                    "This consultation is anonymous and has fewer than %(k)s responses, so the responses cannot "
                    "be downloaded yet: with so few, people could be recognised from their answers.")
                    % {"k": threshold})
            keys = [key for key, n in shared.items() for _i in range(n)]
            self.released = dict(zip(keys, mask_rows(keys, threshold), strict=True))
        self.layout = [(q, _columns(q)) for q in _questions(consultation)]
        self.header = _header(consultation, self.layout)

    def _order(self):
        """The ids of the responses in the order of the file: by submission, or shuffled (anonymous),
        because the database order would tell who answered first."""
        ids = array("q", Response.objects.filter(consultation=self.consultation).order_by("submitted_on", "pk")
                    .values_list("pk", flat=True).iterator(chunk_size=2000))
        if self.consultation.anonymous:
            random.SystemRandom().shuffle(ids)
        return ids

    def rows(self):
        identified = _identified(self.consultation)
        fields = ["pk", "group", "version__number"]
        if identified:
            fields += ["submitted_on", "invitation__email", "submitted_at"]
        ids = iter(self._order())
        number = 0
        while chunk := list(islice(ids, CHUNK)):
            found = {r[0]: r for r in Response.objects.filter(pk__in=chunk).order_by().values_list(*fields)}
            answers = {}
            for response_id, key, value, nr in (Answer.objects.filter(response_id__in=chunk).order_by()
                                                .values_list("response_id", "question_key", "value",
                                                             "not_relevant")):
                answers[(response_id, key)] = (value, nr)
            for pk in chunk:
                if pk not in found:
                    continue  # deleted since the export started
                response = found[pk]
                number += 1
                group, version = response[1], response[2]
                if self.released is not None:
                    group, version = self.released[(group, version)]
                row = [number, neutralise(group), version]
                if identified:
                    submitted_on, email, submitted_at = response[3:]
                    row += [submitted_on.isoformat(), neutralise(email or ""),
                            submitted_at.isoformat() if submitted_at else ""]
                for question, columns in self.layout:
                    row += _cells(question, columns, answers.get((pk, question["key"])))
                yield row


def export_rows(consultation):
    """``(header, rows)`` of the response table, the rows as a list: for small consultations and
    tests. The downloads use ``ResponseTable`` and never hold every row."""
    table = ResponseTable(consultation)
    return table.header, list(table.rows())


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
    for q in _questions(consultation):
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


def csv_chunks(header, rows):
    """The CSV file as UTF-8 byte chunks of ``CHUNK`` rows, the first with the byte-order mark."""
    every = CHUNK
    out = io.StringIO()
    writer = csv.writer(out)
    out.write(BOM)
    writer.writerow(header)
    for i, row in enumerate(rows, start=1):
        writer.writerow(row)
        if i % every == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def _audit(consultation, actor, request, fmt, n):
    audit_record(action="consultation.exported", actor=actor, organisation=consultation.organisation,
                 target=consultation.title, request=request,
                 details={"uuid": str(consultation.uuid), "format": fmt, "responses": n,
                          "anonymous": consultation.anonymous})


def stream_responses_csv(*, consultation, actor, request=None):
    """The responses CSV as an iterator of byte chunks; checked and audited before it is returned."""
    table = ResponseTable(consultation)
    _audit(consultation, actor, request, "responses.csv", table.count)
    return csv_chunks(table.header, table.rows())


def stream_codebook_csv(*, consultation, actor, request=None):
    header, rows = codebook_rows(consultation)
    _audit(consultation, actor, request, "codebook.csv", 0)
    return csv_chunks(header, rows)


def export_responses_csv(*, consultation, actor, request=None):
    """The responses CSV as bytes (for callers that want the whole file)."""
    return b"".join(stream_responses_csv(consultation=consultation, actor=actor, request=request))


def export_codebook_csv(*, consultation, actor, request=None):
    return b"".join(stream_codebook_csv(consultation=consultation, actor=actor, request=request))


def _write_sheet(workbook, name, header, rows, bold):
    sheet = workbook.add_worksheet(name)
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))


def export_responses_xlsx_file(*, consultation, actor, request=None):
    """An XLSX workbook with the sheets "Responses" and "Codebook", as an open temporary file
    (positioned at its start; closing it deletes it)."""
    table = ResponseTable(consultation)
    book_header, book_rows = codebook_rows(consultation)
    out = tempfile.TemporaryFile(suffix=".xlsx")
    # constant_memory: each row is flushed to a temporary file once the next one starts, so memory
    # does not grow with the responses (rows must then be written in order, as they are here).
    # strings_to_formulas/urls/numbers off: XlsxWriter would otherwise turn "=…" text into live formulas.
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True})
    _write_sheet(workbook, "Responses", table.header, table.rows(), bold)
    _write_sheet(workbook, "Codebook", book_header, book_rows, bold)
    workbook.close()
    out.seek(0)
    _audit(consultation, actor, request, "responses.xlsx", table.count)
    return out


def export_responses_xlsx(*, consultation, actor, request=None):
    """The XLSX workbook as bytes (for callers that want the whole file)."""
    with export_responses_xlsx_file(consultation=consultation, actor=actor, request=request) as f:
        return f.read()
