"""The background worker carries on through a database outage (bench/fault_drill.py does it for
real against a stopped PostgreSQL; this pins the behaviour in the suite)."""

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.models import DBTaskResult

from tailorkit.core.management.commands import worker as command
from tailorkit.core.tasks import send_invitation_email


def _worker():
    return command.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                          startup_delay=False, max_tasks=None, worker_id="test", excluded_queue_names=[])


def test_a_lost_database_is_waited_for_and_the_worker_carries_on(monkeypatch):
    outcomes = [OperationalError("connection refused"), OperationalError("connection refused"), "stopped"]
    waits = []

    def upstream_run(self):
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(upstream.Worker, "run", upstream_run)
    monkeypatch.setattr(command.time, "sleep", waits.append)
    worker = _worker()
    assert worker.run() == "stopped"
    assert waits == [1, 2]  # waited, doubling, then ran again


def test_an_error_while_shutting_down_still_ends_the_worker(monkeypatch):
    def upstream_run(self):
        self.running = False
        raise OperationalError("gone")

    monkeypatch.setattr(upstream.Worker, "run", upstream_run)
    worker = _worker()
    with pytest.raises(OperationalError):
        worker.run()


@pytest.mark.django_db(transaction=True)
def test_the_command_runs_queued_work(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_invitation_email.enqueue(invitation_id=0)  # withdrawn meanwhile: a quick no-op
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert upstream.Worker is not command.Worker  # the library is left as it was
