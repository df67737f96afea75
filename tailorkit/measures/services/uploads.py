"""Values of a measure from a CSV or XLSX file, checked and stored by the background worker.

1. ``measure_upload_queue`` (in the request) makes only the checks that stay quick whatever the file
   holds: its size, its type, that it is not empty and that its header names the columns the
   measure needs. It stores the file in a ``MeasureUpload`` and queues ``tasks.run_measure_upload``.
2. The worker reads the whole file, row by row, and records the row count, the first rows as read
   (the preview) and every problem with its row and column. Nothing is stored yet.
3. When the whole file is valid the person confirms (``measure_upload_confirm``); the worker reads it
   again and stores it in one transaction, in chunks of ``CHUNK_ROWS`` with set-based writes that
   keep the history (simple-history's bulk helpers): a period already stored is updated (its history
   keeps the old value), an identical value is left alone.

Streaming: the file is read from its row in pieces of ``READ_BYTES`` (``_StoredFile``), through
``csv.reader`` or openpyxl's read-only mode, so the worker's memory does not grow with the file
(``bench/measure_upload.py`` measures it). Duplicate periods are found with a fixed-size table of
first rows per day (``_FirstRows``), not a set that grows with the rows. One limit: openpyxl reads
an XLSX file's table of shared texts whole, so an XLSX file whose periods are typed as text holds
that table in memory (dates typed as dates are numbers and are not in it).

Every row passes ``observations.row_check``, the check of every other way in (grid, API, feed).
"""

import codecs
import csv
import io
import logging
import time
import zipfile
from array import array
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tailorkit.core.permissions import can
from tailorkit.core.tasks import enqueue_with_transaction

from .. import periods
from ..models import Measure, MeasureUpload, Observation
from .observations import row_check

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS = 200          # problems kept and shown; the rest are counted
# Rows of values in one file: 270 years of days. The store runs in one transaction at about 8,000
# rows/s (bench/measure_upload.py), so this keeps it well inside TAILORKIT_IMPORT_STALE_SECONDS.
MAX_FILE_ROWS = 100_000
PREVIEW_ROWS = 10
CHUNK_ROWS = 500          # rows per set-based write (and per query for the stored values)
READ_BYTES = 1024 * 1024  # bytes of the stored file read at a time
PROGRESS_SECONDS = 0.5
MAX_ATTEMPTS = 3
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}

Status = MeasureUpload.Status

# Header names (compared in lower case, without spaces around them) for each column.
HEADERS = {
    "period": ("period", "date", "month", "week", "day", "period start", "start", "periode", "datum", "maand"),
    "numerator": ("value", "numerator", "count", "number", "n", "events", "cases", "waarde", "teller", "aantal"),
    "denominator": ("denominator", "total", "out of", "population", "cases seen", "noemer", "totaal"),
}


def column_label(field):
    return {"period": _("period"), "numerator": _("value (numerator)"), "denominator": _("denominator")}[field]


def needs_denominator(measure):
    return measure.kind in (Measure.Kind.PROPORTION, Measure.Kind.RATE)


# --- Step 1: the upload -------------------------------------------------------------------------

def measure_upload_queue(*, measure, actor, file_name, content, language=""):
    """Store an uploaded file and queue its check. ``ValidationError({"file": …})`` (nothing stored) for a
    file too large, empty, of another type or without the columns the measure needs."""
    if not can(actor, "edit", measure):
        raise PermissionDenied
    file_format, encoding, delimiter, header = _sniff(file_name, content)
    columns, ignored = match_columns(measure, header)
    with transaction.atomic():
        upload = MeasureUpload.objects.create(
            organisation=measure.organisation, measure=measure, created_by=actor, file_name=file_name[:255],
            file_format=file_format, file_size=len(content), content=content, encoding=encoding,
            delimiter=delimiter, language=language[:10], columns=columns, ignored=ignored)
        _enqueue(upload.pk)
    return upload


def _refuse(message):
    raise ValidationError({"file": message})


def _sniff(file_name, content):
    """(format, encoding, delimiter, header cells) of a file, or a refusal a person can act on."""
    if len(content) > MAX_BYTES:
        _refuse(_("The file is larger than %(n)d MB. Split it into several files.") % {"n": MAX_BYTES // 2**20})
    if not content.strip():
        _refuse(_("The file is empty."))
    extension = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if extension == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse(_("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload that."))
    if extension not in FORMATS:
        _refuse(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx); “%(name)s” is neither.")
                % {"name": file_name[:80]})
    if FORMATS[extension] == "xlsx":
        return "xlsx", "", "", _xlsx_header(content)
    if b"\x00" in content[:65536] or content.startswith(b"PK\x03\x04"):
        _refuse(_("This file is not plain text, so it cannot be read as CSV. Save it as CSV or .xlsx."))
    encoding = _encoding_of(content[:65536])
    first_line = content[:65536].decode(encoding, errors="replace").lstrip("\ufeff").splitlines() or [""]
    header_line = next((line for line in first_line if line.strip()), "")
    delimiter = max(",;\t", key=header_line.count) if any(d in header_line for d in ",;\t") else ","
    try:
        header = next(csv.reader([header_line], delimiter=delimiter), [])
    except csv.Error:
        header = []
    return "csv", encoding, delimiter, header


def _encoding_of(start):
    """UTF-8 (with or without its mark) when the start of the file reads as UTF-8, else Windows-1252,
    which is how Excel on Windows often saves CSV."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def _xlsx_header(content):
    try:
        with _xlsx_rows(io.BytesIO(content)) as rows:
            return next((cells for _n, cells in rows), [])
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        _refuse(_("This file cannot be read as an Excel workbook (.xlsx). Open it in your spreadsheet program and "
                  "save it again as .xlsx or as CSV."))


def match_columns(measure, header):
    """``({field: {"index", "header"}}, [headers not read])`` or a refusal naming the missing columns."""
    found, ignored = {}, []
    names = [_cell_text(h).strip().strip(":").strip().lower() for h in header]
    for index, name in enumerate(names):
        field = next((f for f, words in HEADERS.items() if name in words and f not in found), None)
        if field:
            found[field] = {"index": index, "header": _cell_text(header[index]).strip()[:60]}
        elif name:
            ignored.append(_cell_text(header[index]).strip()[:60])
    wanted = ["period", "numerator"] + (["denominator"] if needs_denominator(measure) else [])
    # Columns named otherwise ("Offered within 4 weeks", "Referred") are read in order for the fields
    # still missing: the person sees which column became which on the preview before anything is stored.
    spare = [i for i, name in enumerate(names) if name and i not in {c["index"] for c in found.values()}]
    for field in [f for f in wanted if f not in found]:
        if spare:
            index = spare.pop(0)
            found[field] = {"index": index, "header": _cell_text(header[index]).strip()[:60], "by_position": True}
            ignored.remove(found[field]["header"])
    if any(spec.get("by_position") and _looks_like_data(measure, spec["header"]) for spec in found.values()):
        _refuse(_("The first row of the file holds values, not column names. Add a first row that names the "
                  "columns, for example %(examples)s.") % {"examples": ", ".join(f"“{HEADERS[f][0]}”" for f in wanted)})
    missing = [f for f in wanted if f not in found]
    if missing:
        _refuse(_("The first row of the file should name the columns. Missing: %(missing)s. Name them, for "
                  "example, %(examples)s (capitals do not matter). Found: %(found)s.") % {
            "missing": ", ".join(column_label(f) for f in missing),
            "examples": ", ".join(f"“{HEADERS[f][0]}”" for f in wanted),
            "found": ", ".join(f"“{h}”" for h in [_cell_text(h).strip() for h in header] if h)[:300] or _("nothing")})
    return found, ignored


def _looks_like_data(measure, text):
    """Whether a header cell is a value or a period (a file without a row of column names)."""
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        pass
    try:
        periods.parse(measure.period, text)
        return True
    except (ValueError, OverflowError):
        return False


def _enqueue(upload_id):
    from ..tasks import run_measure_upload  # tasks import the services: import here, not at the top

    enqueue_with_transaction(run_measure_upload, upload_id)


# --- Reading the stored file, piece by piece ------------------------------------------------------

class _StoredFile(io.RawIOBase):
    """The bytes of an upload's ``content``, read from the database ``READ_BYTES`` at a time (SUBSTR works
    on SQLite's BLOB and PostgreSQL's bytea), seekable for openpyxl's zip reader."""

    def __init__(self, upload_id, size):
        super().__init__()
        self.upload_id, self.size, self.position = upload_id, size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.position

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer):
        wanted = min(len(buffer), self.size - self.position)
        if wanted <= 0:
            return 0
        part = models.Func(models.F("content"), Cast(models.Value(self.position + 1), models.IntegerField()),
                           Cast(models.Value(wanted), models.IntegerField()), function="SUBSTR",
                           output_field=models.BinaryField())
        piece = MeasureUpload.objects.filter(pk=self.upload_id).values_list(part, flat=True).first() or b""
        buffer[:len(piece)] = piece
        self.position += len(piece)
        return len(piece)


@contextmanager
def _file_rows(upload):
    """``(row number, cells)`` of every row of the stored file, read as a stream."""
    stream = io.BufferedReader(_StoredFile(upload.pk, upload.file_size), READ_BYTES)
    if upload.file_format == "xlsx":
        with _xlsx_rows(stream) as rows:
            yield rows
        return
    text = io.TextIOWrapper(stream, encoding=upload.encoding or "utf-8-sig", newline="")
    try:
        yield enumerate(csv.reader(text, delimiter=upload.delimiter or ","), start=1)
    finally:
        text.close()


@contextmanager
def _xlsx_rows(stream):
    import openpyxl  # only needed for XLSX files, and slow to import

    book = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    try:
        yield enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
    finally:
        book.close()


def _cell_text(value):
    """A cell as a person would read it (the preview, header names)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    return str(value)


class _FirstRows:
    """The row where each period first appeared, in a table of fixed size (4 bytes for each day from
    1800 to 2200, 0.6 MB) instead of a set that grows with the file; other days in a dict."""

    FIRST = date(1800, 1, 1).toordinal()
    DAYS = date(2200, 1, 1).toordinal() - FIRST

    def __init__(self):
        self.rows, self.others = array("I", bytes(4 * self.DAYS)), {}

    def seen(self, day, row):
        """The earlier row with ``day``, or None (and ``row`` is remembered)."""
        offset = day.toordinal() - self.FIRST
        if 0 <= offset < self.DAYS:
            earlier = self.rows[offset]
            if not earlier:
                self.rows[offset] = row
            return earlier or None
        if day in self.others:
            return self.others[day]
        self.others[day] = row
        return None


def checked_rows(measure, upload, rows):
    """``(row number, cells as read, clean fields or None, [(field, message)])`` for every row with values,
    after the header; the same period twice is refused at its second row."""
    first_rows, header_seen = _FirstRows(), False
    columns = {field: spec["index"] for field, spec in upload.columns.items()}
    for number, cells in rows:
        cells = [("TRUE" if c else "FALSE") if isinstance(c, bool) else c for c in cells]
        if not any(_cell_text(c).strip() for c in cells):
            continue
        if not header_seen:
            header_seen = True
            continue
        raw = {field: cells[i] if i < len(cells) else None for field, i in columns.items()}
        clean, errors = row_check(measure, raw)
        problems = list((errors or {}).items())
        if clean:
            earlier = first_rows.seen(clean["period_start"], number)
            if earlier:
                clean, problems = None, [("period", _("%(period)s is also in row %(row)d. Keep one of the two rows.")
                                          % {"period": periods.label(measure.period, clean["period_start"]),
                                             "row": earlier})]
        yield number, raw, clean, problems


# --- Step 2 and 3: the worker ---------------------------------------------------------------------

def measure_upload_run(*, upload_id):
    """The body of ``tasks.run_measure_upload``: check a queued upload, or store a confirmed one. Safe to
    run twice or at the same time: only one run stores the file. Returns the upload's status."""
    upload = _claim(upload_id)
    if upload is None:
        return MeasureUpload.objects.filter(pk=upload_id).values_list("status", flat=True).first() or "missing"
    with translation.override(upload.language or settings.LANGUAGE_CODE):
        try:
            if upload.status == Status.CHECKING:
                return _check(upload)
            return _store(upload)
        except ValidationError as exc:
            return _finish(upload, Status.FAILED, errors=[{"row": None, "column": "", "message": m}
                                                          for m in exc.messages])
        except OperationalError:
            logger.exception("Measure upload %s stopped; it will be resumed", upload_id)
            raise
        except Exception:
            _finish(upload, Status.FAILED, errors=[{"row": None, "column": "", "message": _(
                "The upload stopped because of an error on the server. Nothing was stored. Please try again later; "
                "if it happens again, tell your administrator.")}])
            raise


def _claim(upload_id):
    with transaction.atomic():
        upload = (MeasureUpload.objects.select_for_update(of=("self",)).select_related("measure", "created_by")
                  .defer("content").filter(pk=upload_id).first())
        if upload is None or upload.status not in (Status.QUEUED, Status.CONFIRMED, Status.CHECKING,
                                                   Status.STORING):
            return None
        if upload.status in (Status.CHECKING, Status.STORING) and not _is_stale(upload):
            return None  # another live worker has it
        upload.status = Status.CHECKING if upload.status in (Status.QUEUED, Status.CHECKING) else Status.STORING
        upload.attempts += 1
        upload.done, upload.heartbeat_at = 0, timezone.now()
        upload.save(update_fields=["status", "attempts", "done", "heartbeat_at"])
    return upload


def _is_stale(upload):
    return upload.heartbeat_at < timezone.now() - timedelta(seconds=settings.TAILORKIT_IMPORT_STALE_SECONDS)


def _progress(upload, done):
    upload.done, upload.heartbeat_at = done, timezone.now()
    MeasureUpload.objects.filter(pk=upload.pk, status=upload.status).update(done=done, heartbeat_at=upload.heartbeat_at)


def _check(upload):
    """Read the whole file (no writes but progress): the row count, the preview and every problem."""
    preview, errors, error_count, count, last = [], [], 0, 0, time.monotonic()
    labels = {field: spec["header"] or column_label(field) for field, spec in upload.columns.items()}
    try:
        with _file_rows(upload) as rows:
            for number, raw, _clean, problems in checked_rows(upload.measure, upload, rows):
                count += 1
                if count > MAX_FILE_ROWS:
                    return _finish(upload, Status.INVALID, errors=[{"row": number, "column": "", "message": _(
                        "The file has more than %(n)s rows of values. Split it into several files.")
                        % {"n": f"{MAX_FILE_ROWS:,}"}}], error_count=1, rows=count, preview=preview)
                if len(preview) < PREVIEW_ROWS:
                    preview.append({"row": number, **{f: _cell_text(v)[:40] for f, v in raw.items()}})
                for field, message in problems:
                    error_count += 1
                    if len(errors) < MAX_ERRORS:
                        errors.append({"row": number, "column": labels.get(field, column_label(field)),
                                       "message": str(message)})
                if time.monotonic() - last >= PROGRESS_SECONDS:
                    _progress(upload, count)
                    last = time.monotonic()
    except (UnicodeDecodeError, csv.Error) as exc:
        return _finish(upload, Status.INVALID, errors=[{"row": None, "column": "", "message": _(
            "The file could not be read to its end (%(problem)s). Save it again as CSV (UTF-8) or .xlsx.")
            % {"problem": str(exc)[:120]}}], error_count=1, rows=count, preview=preview)
    if not count and not error_count:
        errors, error_count = [{"row": None, "column": "", "message": _(
            "The file has a row of column names but no values under it.")}], 1
    return _finish(upload, Status.INVALID if error_count else Status.READY, errors=errors, error_count=error_count,
                   rows=count, preview=preview, keep_file=not error_count)


def _store(upload):
    """Check the file again and store it: all of it in one transaction, or nothing."""
    measure, actor = upload.measure, upload.created_by
    if not can(actor, "edit", measure):
        raise ValidationError(_("You may no longer change this measure, so nothing was stored."))
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        locked = MeasureUpload.objects.select_for_update().defer("content").get(pk=upload.pk)
        if locked.status != Status.STORING:
            return locked.status  # another run got there first: exactly once
        chunk = []
        with _file_rows(upload) as rows:
            for number, _raw, clean, problems in checked_rows(measure, upload, rows):
                if problems:
                    raise ValidationError(_("Row %(row)d is no longer valid (%(message)s); nothing was stored. "
                                            "Upload the file again to see every problem.")
                                          % {"row": number, "message": problems[0][1]})
                chunk.append(clean)
                if len(chunk) >= CHUNK_ROWS:
                    _write(measure, actor, chunk, counts)
                    chunk = []
        _write(measure, actor, chunk, counts)
        locked.status, locked.counts, locked.content = Status.DONE, counts, b""
        locked.done = locked.rows
        locked.finished_at = locked.heartbeat_at = timezone.now()
        locked.save()
    return Status.DONE


FIELDS_WRITTEN = ["numerator", "denominator", "value", "version", "source", "updated_by", "updated_at"]


def _write(measure, actor, chunk, counts):
    """Create or update one chunk of clean rows with two set-based writes (and their history)."""
    if not chunk:
        return
    stored = {o.period_start: o for o in Observation.objects.select_for_update()
              .filter(measure=measure, period_start__in=[c["period_start"] for c in chunk])}
    new, changed, now = [], [], timezone.now()
    for clean in chunk:
        current = stored.get(clean["period_start"])
        if current is None:
            new.append(Observation(organisation=measure.organisation, measure=measure, updated_by=actor,
                                   source=Observation.Source.UPLOAD, **clean))
        elif current.numerator == clean["numerator"] and current.denominator == clean["denominator"]:
            counts["unchanged"] += 1
        else:
            current.numerator, current.denominator, current.value = (clean["numerator"], clean["denominator"],
                                                                     clean["value"])
            current.version += 1
            current.source, current.updated_by, current.updated_at = Observation.Source.UPLOAD, actor, now
            changed.append(current)
    if new:
        bulk_create_with_history(new, Observation, batch_size=CHUNK_ROWS, default_user=actor, default_date=now)
    if changed:
        bulk_update_with_history(changed, Observation, FIELDS_WRITTEN, batch_size=CHUNK_ROWS, default_user=actor,
                                 default_date=now)
    counts["created"] += len(new)
    counts["updated"] += len(changed)


@transaction.atomic
def _finish(upload, status, *, errors=(), error_count=None, rows=None, preview=None, keep_file=False):
    locked = MeasureUpload.objects.select_for_update().defer("content").get(pk=upload.pk)
    if locked.finished:
        return locked.status  # never turn a finished upload into another
    locked.status, locked.errors = status, list(errors)
    locked.error_count = len(locked.errors) if error_count is None else error_count
    if rows is not None:
        locked.rows = locked.done = rows
    if preview is not None:
        locked.preview = preview
    fields = ["status", "errors", "error_count", "rows", "done", "preview", "heartbeat_at", "finished_at"]
    if not keep_file:
        locked.content = b""
        fields.append("content")
    locked.heartbeat_at = timezone.now()
    locked.finished_at = locked.heartbeat_at if locked.finished else None
    locked.save(update_fields=fields)
    return status


# --- The person's decisions -------------------------------------------------------------------------

@transaction.atomic
def measure_upload_confirm(*, upload, actor):
    """Store a checked file: queue its storing. Refused unless the whole file was found valid."""
    if not can(actor, "edit", upload.measure):
        raise PermissionDenied
    locked = MeasureUpload.objects.select_for_update().defer("content").get(pk=upload.pk)
    if locked.status != Status.READY:
        raise ValidationError(
            _("This file cannot be stored now: %(status)s.") % {"status": locked.get_status_display()})
    locked.status, locked.attempts, locked.heartbeat_at = Status.CONFIRMED, 0, timezone.now()
    locked.save(update_fields=["status", "attempts", "heartbeat_at"])
    _enqueue(locked.pk)
    return locked


@transaction.atomic
def measure_upload_discard(*, upload, actor):
    """Drop a checked file without storing it."""
    if not can(actor, "edit", upload.measure):
        raise PermissionDenied
    MeasureUpload.objects.filter(pk=upload.pk, status=Status.READY).update(
        status=Status.FAILED, content=b"", finished_at=timezone.now(),
        errors=[{"row": None, "column": "", "message": _("You chose not to store this file.")}], error_count=1)


def measure_uploads_resume(*, upload_ids=None):
    """Queue again every upload waiting for or held by a worker that gave no sign of life for
    ``TAILORKIT_IMPORT_STALE_SECONDS``; fail it after ``MAX_ATTEMPTS``. Returns how many it handled."""
    limit = timezone.now() - timedelta(seconds=settings.TAILORKIT_IMPORT_STALE_SECONDS)
    stale = MeasureUpload.objects.filter(status__in=[Status.QUEUED, Status.CHECKING, Status.CONFIRMED,
                                                     Status.STORING], heartbeat_at__lt=limit)
    if upload_ids is not None:
        stale = stale.filter(pk__in=upload_ids)
    if not stale.exists():
        return 0
    with transaction.atomic():
        uploads = list(stale.select_for_update(skip_locked=True).defer("content"))
        for upload in uploads:
            if upload.attempts >= MAX_ATTEMPTS:
                with translation.override(upload.language or settings.LANGUAGE_CODE):
                    _finish(upload, Status.FAILED, errors=[{"row": None, "column": "", "message": _(
                        "The upload stopped %(n)d times before it could finish. Nothing was stored. Tell your "
                        "administrator.") % {"n": upload.attempts}}])
                continue
            upload.status = Status.QUEUED if upload.status in (Status.QUEUED, Status.CHECKING) else Status.CONFIRMED
            upload.heartbeat_at = timezone.now()
            upload.save(update_fields=["status", "heartbeat_at"])
            _enqueue(upload.pk)
    return len(uploads)
