"""Queue again the project imports whose background worker was lost (killed, restarted, out of memory).

The status page of an import does the same for the import it shows; this command catches the ones
nobody is looking at. Run it every few minutes from cron or a systemd timer, or with ``--every`` as a
service of its own. (The scheduler of ``schedule_periodic`` lives in consultations, which may not
import projects, so projects has its own command.) Resuming is always safe: an import runs exactly
once (``services/transfer/queued.py``). Files of measure values that lost their worker are queued
again the same way (``measures/services/uploads.py``, ``measure_uploads_resume``). It also
deletes finished imports older than ``TAILORKIT_TASK_RESULT_DAYS`` days (their messages can name people).
"""

import time

from django.core.management.base import BaseCommand

from tailorkit.measures.services.uploads import measure_uploads_resume
from tailorkit.projects.services.transfer import project_imports_prune, project_imports_resume


class Command(BaseCommand):
    help = ("Queue again the project imports that stopped with their worker "
            "(no sign of life for TAILORKIT_IMPORT_STALE_SECONDS).")

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0,
                            help="Repeat every this many seconds instead of running once.")

    def handle(self, *args, every, **options):
        while True:
            count = project_imports_resume()
            pruned = project_imports_prune()
            uploads = measure_uploads_resume()
            self.stdout.write(f"{count} stopped import(s) resumed, {pruned} old finished import(s) deleted, "
                              f"{uploads} stopped upload(s) of measure values resumed.")
            if every <= 0:
                return
            time.sleep(every)
