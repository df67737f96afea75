"""Enqueue the periodic consultation jobs for the background worker.

`make run` and the systemd unit in deploy/ start this next to `worker`: every few minutes it
puts the reminder job on the queue; once a day the job that deletes expired email addresses (and
the drafts of closed consultations) and core's job that prunes finished task rows
(``TAILORKIT_TASK_RESULT_DAYS``). A loop is enough here (a scheduler library would add a
dependency for a few timers); the jobs are idempotent, so a missed or doubled tick does no harm.
"""

import time

from django.core.management.base import BaseCommand

from tailorkit.consultations.tasks import purge_due_emails, send_due_reminders
from tailorkit.core.tasks import prune_task_results

DAY = 24 * 60 * 60


class Command(BaseCommand):
    help = "Put the reminder, email-retention and task-pruning jobs on the task queue at regular intervals."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=15 * 60, help="Seconds between reminder runs.")
        parser.add_argument("--once", action="store_true", help="Enqueue every job once and stop.")

    def handle(self, *args, every, once, **options):
        last_purge = 0.0
        while True:
            send_due_reminders.enqueue()
            if time.monotonic() - last_purge >= DAY or once:
                purge_due_emails.enqueue()
                prune_task_results.enqueue()
                last_purge = time.monotonic()
            self.stdout.write("Enqueued the periodic consultation jobs.")
            if once:
                return
            time.sleep(every)
