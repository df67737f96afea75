"""Background work for the core app (run by the worker; immediately in tests).

django-tasks-db keeps each task's arguments and return value in its table, and so in backups:
tasks here take and return ids and counts only, never a token or a link with one.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task


@task()
def send_invitation_email(invitation_id, base_url=None):
    """Email an organisation invitation. The link token is made here, inside the worker."""
    from .models import Invitation
    from .services import invitation_issue_link

    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return False  # withdrawn, replaced or deleted meanwhile: nothing to send
    token = invitation_issue_link(invitation=invitation)
    link = (base_url or settings.SITE_URL).rstrip("/") + reverse("core:invitation_open", args=[token])
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=render_to_string("core/email/invitation_subject.txt", context).strip(),
        message=render_to_string("core/email/invitation_body.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    return True


@task()
def prune_task_results():
    """Delete finished task rows older than ``TAILORKIT_TASK_RESULT_DAYS`` (queued daily by
    ``schedule_periodic``), with django-tasks-db's own ``prune_db_task_results`` command."""
    from .services import task_results_prune

    task_results_prune()


def enqueue_with_transaction(task, *args):
    """Queue ``task`` so that it exists exactly when the rows it is about exist.

    With the database queue (production) the task row is written in the current transaction, so
    an invitation marked "sent" and the job that sends its email are committed together or not at
    all: a process that dies between the two can no longer leave a "sent" invitation with no email
    (``transaction.on_commit`` had that gap; the fault drill's notes found it). Other backends
    (tests run tasks at once) queue on commit, so a task never runs before its rows are visible."""
    from django.db import transaction
    from django_tasks_db import DatabaseBackend

    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
