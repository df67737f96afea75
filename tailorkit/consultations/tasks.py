"""Background work for consultations (run by ``manage.py worker``; immediately under pytest).

Reminders and the deletion of addresses need a periodic trigger. Either run the management
commands from cron / a systemd timer::

    python manage.py send_reminders              # e.g. every 15 minutes
    python manage.py purge_consultation_emails   # daily: expired addresses, and drafts of closed consultations

or enqueue the tasks from anything periodic (``send_due_reminders.enqueue()``,
``purge_due_emails.enqueue()``) and let the worker run them.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task()
def send_consultation_email(invitation_id, base_url=None, reminder=False):
    """Email one invitation or reminder. The link token is made here, inside the worker, so the
    raw token never sits in the task queue's table (only its hash reaches the database)."""
    from .models import Invitation
    from .services.delivery import invitation_issue_link

    invitation = Invitation.objects.select_related("consultation", "organisation").filter(pk=invitation_id).first()
    if invitation is None or not invitation.email or invitation.status == Invitation.Status.COMPLETED:
        return False  # erased, purged or already answered meanwhile: nothing to send
    token = invitation_issue_link(invitation=invitation)
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse(
        "consultations:consultation_invitation_open", args=[token]
    )
    context = {
        "invitation": invitation,
        "consultation": invitation.consultation,
        "link": link,
        "organisation": invitation.organisation,
        "reminder": reminder,
    }
    with translation.override(invitation.organisation.language):
        send_mail(
            subject=render_to_string("consultations/email/invitation_subject.txt", context).strip(),
            message=render_to_string("consultations/email/invitation_body.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
    return True


@task()
def send_due_reminders(base_url=None):
    """The periodic job: reminders that are due, and telling the apps above which consultations
    have reached their closing time (``closings.py``). Returns the number of reminders sent."""
    from .services.delivery import closings_announce_due, reminders_send_due

    sent = reminders_send_due(base_url=base_url)
    closings_announce_due()
    return sent


@task()
def purge_due_emails():
    """The daily clean-up: expired addresses and links, and drafts that can no longer be sent.
    Returns the number of addresses deleted."""
    from .services.delivery import consultation_emails_purge_due, drafts_purge_due

    purged = consultation_emails_purge_due()
    drafts_purge_due()
    return purged
