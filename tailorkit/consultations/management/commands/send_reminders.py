from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from tailorkit.consultations.services.delivery import reminders_send_due


class Command(BaseCommand):
    help = "Queue the consultation reminders that are due (run every few minutes from cron or a timer)."

    def handle(self, *args, **options):
        count = reminders_send_due()
        self.stdout.write(ngettext("%(n)s reminder queued.", "%(n)s reminders queued.", count) % {"n": count})
