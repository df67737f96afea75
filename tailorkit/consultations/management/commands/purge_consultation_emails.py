from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from tailorkit.consultations.services.delivery import (
    consultation_emails_purge_due,
    drafts_purge_due,
    email_retention_days,
)


class Command(BaseCommand):
    help = ("Delete invitees' email addresses and links of consultations closed more than "
            "TAILORKIT_CONSULTATION_EMAIL_RETENTION_DAYS (default 30) days ago, and the drafts of closed "
            "consultations, which can no longer be sent. Run daily.")

    def handle(self, *args, **options):
        count = consultation_emails_purge_due()
        drafts = drafts_purge_due()
        days = email_retention_days()
        self.stdout.write(
            ngettext("%(n)s address deleted", "%(n)s addresses deleted", count) % {"n": count}
            + " " + ngettext("(retention %(days)s day);", "(retention %(days)s days);", days) % {"days": days}
            + " " + ngettext("%(n)s draft deleted.", "%(n)s drafts deleted.", drafts) % {"n": drafts})
