"""No secret reaches the task queue's table, and finished task rows are pruned (issue 9, point 3).

django-tasks-db keeps every task's arguments and return value in a table (and so in backups);
these tests run the tasks through that real database backend, not the immediate one used
elsewhere under pytest.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tailorkit.core.models import Invitation, Membership, Role
from tailorkit.core.tokens import hash_token

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Real transactions: the worker checks its connection between jobs and would drop the one a
# test transaction holds open (PostgreSQL).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def run_worker():
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def stored(row):
    return json.dumps(row.args_kwargs) + json.dumps(row.return_value) + row.traceback


def test_an_invitation_puts_no_token_in_the_task_table(
    database_tasks, client_for, alice, org, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(alice).post(reverse("core:member_list", args=[org.slug]), {"email": "erin@example.org",
                                                                             "role": "member"})
    assert len(mail.outbox) == 0 and DBTaskResult.objects.count() == 1  # queued, not yet sent
    run_worker()

    row = DBTaskResult.objects.get()
    assert row.status == "SUCCESSFUL"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S*/invitation/([\w-]+)/)", mail.outbox[0].body)
    token, invitation = link.group(2), Invitation.objects.get(email="erin@example.org")
    assert invitation.token_hash == hash_token(token)
    assert token not in stored(row) and invitation.token_hash not in stored(row)

    # The link the worker made works.
    client.logout()
    client.get(link.group(1))
    client.post(reverse("account_signup"), {"email": "erin@example.org", "password1": "a-long-unusual-passphrase-9",
                                            "password2": "a-long-unusual-passphrase-9"})
    client.post(reverse("core:invitation_detail"), {"action": "accept"})
    assert Membership.objects.get(organisation=org, user__email="erin@example.org").role == Role.MEMBER


def test_a_withdrawn_invitation_is_not_emailed(database_tasks, alice, org, django_capture_on_commit_callbacks):
    from tailorkit.core import services

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(organisation=org, email="h@example.org", role="member", invited_by=alice)
    invitation = Invitation.objects.get(email="h@example.org")
    services.invitation_revoke(invitation=invitation, actor=alice)
    run_worker()
    assert mail.outbox == []


def finished_row(days_ago, status="SUCCESSFUL"):
    when = timezone.now() - timedelta(days=days_ago)
    return DBTaskResult.objects.create(
        status=status, args_kwargs={"args": [], "kwargs": {}}, task_path="tailorkit.core.tasks.prune_task_results",
        backend_name="default", run_after=when, started_at=when, finished_at=when,
    )


def test_pruning_removes_finished_rows_older_than_the_retention(database_tasks, settings):
    settings.TAILORKIT_TASK_RESULT_DAYS = 7
    old, old_failed = finished_row(8), finished_row(9, status="FAILED")
    recent = finished_row(2)
    waiting = DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, backend_name="default",
                                          task_path="tailorkit.core.tasks.prune_task_results",
                                          run_after=timezone.now() - timedelta(days=30))
    from tailorkit.core.tasks import prune_task_results

    prune_task_results.call()
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert old.pk not in left and old_failed.pk not in left
    assert {recent.pk, waiting.pk} <= left


def test_the_scheduler_queues_the_pruning(database_tasks, settings):
    settings.TAILORKIT_TASK_RESULT_DAYS = 7
    old = finished_row(8)
    call_command("schedule_periodic", "--once", stdout=open("/dev/null", "w"))
    assert DBTaskResult.objects.filter(task_path="tailorkit.core.tasks.prune_task_results").exists()
    run_worker()
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()
