"""``manage.py worker``: the background worker, which outlives a database outage.

It is django-tasks-db's ``db_worker`` (same options) with one change. Upstream re-raises every
database error except SQLite's "database is locked", so the first poll after PostgreSQL goes away
ends the process and emails and imports wait until someone restarts it (bench/fault_drill.py showed
it: the worker exited 3 s into a 20 s outage, in every run). Here a lost database closes the
connections, waits (1 s, doubling up to 30 s) and carries on; nothing queued is lost, since the
queue is in the database. Hand-written because the library offers no retry setting.
"""

import logging
import time

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands import db_worker as upstream

logger = logging.getLogger("django_tasks_db")

MAX_WAIT = 30


class Worker(upstream.Worker):
    def run(self):
        wait = 1
        while True:
            started = time.monotonic()
            try:
                return super().run()
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    raise
                if time.monotonic() - started > 5 * MAX_WAIT:
                    wait = 1  # a new outage after a long good spell starts the waits again
                logger.warning("The database cannot be reached (%s); trying again in %s s.",
                               str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                               wait)
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, MAX_WAIT)


class Command(upstream.Command):
    help = "Run background tasks (emails, imports, periodic jobs); keeps going through database outages."

    def handle(self, **options):
        # Upstream's handle() builds the worker by the module-level name ``Worker``.
        original, upstream.Worker = upstream.Worker, Worker
        try:
            return super().handle(**options)
        finally:
            upstream.Worker = original
