"""Project files imported by the background worker (issue 9, point 5): the life of a ``ProjectImport``.

A 4.7 MB file (6,000 goals, 4,000 tasks) took longer than the 30 s a request may last, so the
import page only makes the checks that stay quick whatever the file holds (``project_import_queue``:
JSON and its nesting depth, format, version and number of rows; the size is the form's), stores
the file and queues ``tasks.import_project_file``. The worker (``project_import_run``) then reads,
checks and writes in stages and records its progress on the row *between* them: the write itself
is one transaction, which other connections cannot see into (and on SQLite would wait for).

Exactly once: the write transaction locks the row, refuses when the import is already finished,
and creates the project and marks the row done together. A duplicated or retried task finds the
row done and creates nothing, and a worker killed half-way leaves nothing behind (its transaction
is rolled back). Its row stays "running" with an old ``heartbeat_at``; ``project_imports_resume``
(run by the status page and the ``resume_imports`` command) queues it again.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tailorkit.core.permissions import can
from tailorkit.core.tasks import enqueue_with_transaction

from ...models import ProjectImport
from .format import check_shape, parse_file, row_counts, validate_file
from .imports import project_create_from_file

logger = logging.getLogger(__name__)

# A file whose worker dies this many times (out of memory, say) is not tried again.
MAX_ATTEMPTS = 3
# Seconds between two progress writes while the file is checked.
PROGRESS_SECONDS = 0.5

Status, Stage = ProjectImport.Status, ProjectImport.Stage


def _enqueue(import_id):
    from ...tasks import import_project_file  # tasks import the services: import here, not at the top

    enqueue_with_transaction(import_project_file, import_id)


def project_import_queue(*, organisation, user, file_name, content, language=""):
    """Store an uploaded project file and queue its import. Raises ValidationError (nothing stored)
    for a file that is not JSON, nests too deeply, is not a project export of a version this site
    reads, or has more rows than ``MAX_ROWS``: the checks that take a fraction of a second even for
    the largest file the form accepts. Everything else is checked by the worker."""
    if not can(user, "edit", organisation):
        raise PermissionDenied
    data = parse_file(content)  # before the transaction: on SQLite it would hold the write lock
    check_shape(data)
    with transaction.atomic():
        job = ProjectImport.objects.create(organisation=organisation, created_by=user, file_name=file_name[:255],
                                           file_size=len(content), content=content, language=language[:10],
                                           counts=row_counts(data))
        _enqueue(job.pk)
    return job


def project_import_run(*, import_id):
    """Run one import (the body of ``tasks.import_project_file``); returns its status. Safe to run twice
    or at the same time for one import: only one run ever creates a project."""
    job = _claim(import_id)
    if job is None:
        return ProjectImport.objects.filter(pk=import_id).values_list("status", flat=True).first() or "missing"
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            checked = _check(job)
            return _write(job, checked)
        except ValidationError as exc:
            return _fail(job, exc.messages)
        except PermissionDenied:
            return _fail(job, [_("You may no longer add projects to %(org)s, so the file was not imported.")
                               % {"org": job.organisation.name}])
        except OperationalError:
            # The database went away or stayed locked: the row stays "running", and once its heartbeat
            # is old, ``project_imports_resume`` tries again.
            logger.exception("Project import %s stopped; it will be resumed", import_id)
            raise
        except Exception:
            _fail(job, [_("The import stopped because of an error on the server. Nothing was created. Please "
                          "try again later; if it happens again, tell your administrator.")])
            raise


def _claim(import_id):
    """Mark the import running (one more attempt) and return it with its file, or None when it is
    finished or another live worker has it."""
    with transaction.atomic():
        job = (ProjectImport.objects.select_for_update(of=("self",)).select_related("organisation", "created_by")
               .filter(pk=import_id).first())
        if job is None or job.finished or (job.status == Status.RUNNING and not _is_stale(job)):
            return None
        now = timezone.now()
        job.status, job.stage, job.done, job.total = Status.RUNNING, Stage.READING, 0, 0
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["status", "stage", "done", "total", "attempts", "started_at", "heartbeat_at"])
    return job


def _is_stale(job):
    return job.heartbeat_at < timezone.now() - timedelta(seconds=settings.TAILORKIT_IMPORT_STALE_SECONDS)


def _progress(job, stage, done=0, total=0):
    """Record where the import is, outside any transaction, so the status page sees it at once; also the
    worker's heartbeat. Only a running import is touched (a finished one keeps its final state)."""
    job.stage, job.done, job.total, job.heartbeat_at = stage, done, total, timezone.now()
    ProjectImport.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        stage=stage, done=done, total=total, heartbeat_at=job.heartbeat_at)


def _check(job):
    """Read and check the whole file (no writes but progress); ``validate_file``'s result."""
    _progress(job, Stage.READING, 0, job.file_size)
    data = parse_file(bytes(job.content))
    job.content = b""  # only frees memory: the row keeps the file until the import is finished
    total = sum(row_counts(data).values()) if isinstance(data, dict) else 0
    _progress(job, Stage.CHECKING, 0, total)
    last = time.monotonic()

    def progress(done, total):
        nonlocal last
        if time.monotonic() - last >= PROGRESS_SECONDS:
            _progress(job, Stage.CHECKING, done, total)
            last = time.monotonic()

    return validate_file(data, job.organisation, progress=progress)


def _write(job, checked):
    rows = sum(len(r) for r in checked[2].values()) + len(checked[3]) + 1
    _progress(job, Stage.WRITING, 0, rows)
    with transaction.atomic():
        locked = ProjectImport.objects.select_for_update().defer("content").get(pk=job.pk)
        if locked.finished:
            return locked.status  # another run got there first: exactly once
        result = project_create_from_file(organisation=job.organisation, user=job.created_by, checked=checked)
        locked.status, locked.stage, locked.done, locked.total = Status.DONE, Stage.FINISHED, rows, rows
        locked.project, locked.notes, locked.content = result.project, result.notes, b""
        locked.finished_at = locked.heartbeat_at = timezone.now()
        locked.save()
    return Status.DONE


@transaction.atomic
def _fail(job, messages):
    locked = ProjectImport.objects.select_for_update().defer("content").get(pk=job.pk)
    if locked.finished:
        return locked.status  # never turn a finished import into a failed one
    locked.status, locked.stage, locked.errors, locked.content = Status.FAILED, Stage.FINISHED, messages, b""
    locked.finished_at = locked.heartbeat_at = timezone.now()
    locked.save()
    return Status.FAILED


def project_imports_resume(*, import_ids=None):
    """Queue again every "running" or "queued" import (or those of ``import_ids``) whose worker gave no
    sign of life for ``TAILORKIT_IMPORT_STALE_SECONDS``; fail it after ``MAX_ATTEMPTS``. Returns how many it handled.
    Safe at any time: a resumed import that had in fact finished does nothing (``project_import_run``)."""
    limit = timezone.now() - timedelta(seconds=settings.TAILORKIT_IMPORT_STALE_SECONDS)
    # "Queued" ones too: the task is queued once the row is committed, and a process that dies in
    # between leaves a row no task will ever take. Queuing one that has its task already only adds
    # a task that finds nothing to do; the new heartbeat keeps that to one per period.
    stale = ProjectImport.objects.filter(status__in=[Status.RUNNING, Status.QUEUED], heartbeat_at__lt=limit)
    if import_ids is not None:
        stale = stale.filter(pk__in=import_ids)
    # Read first: on SQLite a write would wait for an import that is writing its project right now.
    # (The rows' files are never loaded here: they can be 20 MB each.)
    if not stale.exists():
        return 0
    with transaction.atomic():
        # A row locked by a write transaction (PostgreSQL) is being written, not stale: skip it.
        jobs = list(stale.select_for_update(skip_locked=True).defer("content"))
        for job in jobs:
            if job.attempts >= MAX_ATTEMPTS:
                with translation.override(job.language or settings.LANGUAGE_CODE):
                    _fail(job, [_("The import stopped %(n)d times before it could finish, so it was not started "
                                  "again. Nothing was created. The file may be too large for this server: tell your "
                                  "administrator.") % {"n": job.attempts}])
                continue
            job.status, job.stage, job.heartbeat_at = Status.QUEUED, Stage.WAITING, timezone.now()
            job.save(update_fields=["status", "stage", "heartbeat_at"])
            _enqueue(job.pk)
    return len(jobs)


def project_imports_prune(*, now=None):
    """Delete finished imports older than ``TAILORKIT_TASK_RESULT_DAYS`` days, as finished task rows
    are: their notes and error messages can name people (a team member's address, say), and the
    project they made stands on its own. Returns how many were deleted."""
    limit = (now or timezone.now()) - timedelta(days=settings.TAILORKIT_TASK_RESULT_DAYS)
    deleted, _per_model = ProjectImport.objects.filter(status__in=[Status.DONE, Status.FAILED],
                                                       finished_at__lt=limit).delete()
    return deleted
