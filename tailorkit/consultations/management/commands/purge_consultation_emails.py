from django.core.management.base import BaseCommand

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
        self.stdout.write(f"{count} address(es) deleted (retention {email_retention_days()} days); "
                          f"{drafts} draft(s) deleted.")
