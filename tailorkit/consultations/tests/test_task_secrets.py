"""The consultation email tasks carry only ids through the task queue's table (issue 9, point 3)."""

import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tailorkit.consultations.models import Invitation
from tailorkit.consultations.services import delivery

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Real transactions: the worker checks its connection between jobs and would drop the one a
# test transaction holds open (PostgreSQL).
pytestmark = pytest.mark.django_db(transaction=True)
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{43,}")


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def test_consultation_emails_keep_no_token_in_the_task_table(
    database_tasks, alice, identified, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery.invitations_send(consultation=identified, actor=alice, text="sam@example.org\nkim@example.org")
    Invitation.objects.update(next_reminder_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        delivery.reminders_send_due()
    assert DBTaskResult.objects.count() == 4  # two invitations, two reminders
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    assert len(mail.outbox) == 4 and set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    tokens = [re.search(r"/c/i/(\S+)/", m.body).group(1) for m in mail.outbox]
    for row in DBTaskResult.objects.all():
        text = json.dumps(row.args_kwargs) + json.dumps(row.return_value)
        assert not TOKEN_LIKE.search(text), text
        assert not any(token in text for token in tokens)


def test_an_invitation_and_its_email_job_are_stored_together(database_tasks, alice, identified,
                                                             django_capture_on_commit_callbacks):
    """No gap between "sent" and the job that sends it: the job row is written in the same
    transaction, so a process that dies after the commit cannot leave a sent invitation unsent,
    and one that fails before it leaves neither."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery.invitations_send(consultation=identified, actor=alice, text="sam@example.org")
    assert not callbacks  # nothing left for after the commit
    assert DBTaskResult.objects.count() == Invitation.objects.count() == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        delivery.invitations_send(consultation=identified, actor=alice, text="kim@example.org")
        raise RuntimeError("the request fails after the service")
    assert DBTaskResult.objects.count() == Invitation.objects.count() == 1
