"""Project files are imported by the background worker, with a status page (issue 9, point 5).

Under pytest the task backend runs a task the moment it is queued; the queueing itself waits for the
upload's transaction to commit, so the tests run those callbacks with
``django_capture_on_commit_callbacks(execute=True)``.
"""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tailorkit.core.models import Membership, Role
from tailorkit.projects.models import Goal, Project, ProjectImport
from tailorkit.projects.services.transfer import format as file_format
from tailorkit.projects.services.transfer import project_export, project_import_queue, queued
from tailorkit.projects.tasks import import_project_file

from .test_records_transfer import build_full_project

IMPORTED = "iCBT in primary care"


@pytest.fixture
def exported(project, alice, bob):
    return json.dumps(project_export(project=build_full_project(project, alice, bob), user=alice)).encode()


def upload(content, name="project.json"):
    return SimpleUploadedFile(name, content, content_type="application/json")


def copies(org):
    return Project.objects.filter(organisation=org, name=IMPORTED).count()


def queue(org, user, content):
    """A stored import whose task has not run (the commit callbacks are not executed)."""
    return project_import_queue(organisation=org, user=user, file_name="project.json", content=content)


def test_an_upload_is_imported_in_the_background_and_its_page_links_the_project(
        client_for, alice, org, exported, django_capture_on_commit_callbacks):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:project_import", args=[org.slug]), {"file": upload(exported)})
    job = ProjectImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/projects/import/{job.uuid}/"
    assert job.status == "done" and job.project.name == IMPORTED and copies(org) == 2
    html = client.get(response["Location"]).content.decode()
    assert "Project imported" in html
    assert reverse("projects:project_home", args=[org.slug, job.project.pk]) in html
    assert 'http-equiv="refresh"' not in html and "hx-trigger" not in html  # finished: no more polling


def test_the_notes_of_the_import_are_on_its_page(client_for, alice, mallory, exported,
                                                  django_capture_on_commit_callbacks):
    elsewhere = Membership.objects.get(user=mallory).organisation
    client = client_for(mallory)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:project_import", args=[elsewhere.slug]), {"file": upload(exported)})
    html = client.get(response["Location"]).content.decode()
    assert "Please note" in html and "alice@example.org" in html and "bob@example.org" in html
    assert "barrier_ratings[1] was left out" in html


def test_a_file_with_errors_lists_them_on_the_status_page_and_creates_nothing(
        client_for, alice, org, exported, django_capture_on_commit_callbacks):
    data = json.loads(exported)
    data["goals"][0]["end_goal"] = "y" * 2001
    data["tasks"][0]["status"] = "finished"
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:project_import", args=[org.slug]),
                               {"file": upload(json.dumps(data).encode())})
    html = client.get(response["Location"]).content.decode()
    job = ProjectImport.objects.get()
    assert job.status == "failed" and job.project is None and copies(org) == 1
    assert "The file was not imported. Nothing was created." in html
    assert "<li><code>goals[0].end_goal: too long (max 2000)</code></li>" in html
    assert "tasks[0].status: &#x27;finished&#x27; is not one of" in html
    assert reverse("projects:project_import", args=[org.slug]) in html  # back to the upload form


def test_a_file_that_is_not_json_is_refused_at_the_upload_and_nothing_is_stored(client_for, alice, org, packs):
    response = client_for(alice).post(reverse("projects:project_import", args=[org.slug]),
                                      {"file": upload(b'{"format": "tailorkit.project", ')})
    html = response.content.decode()
    assert response.status_code == 200 and "invalid JSON at line 1, column" in html
    assert not ProjectImport.objects.exists()


def test_a_number_too_long_for_python_is_refused_at_the_upload_with_a_message(client_for, alice, org, packs):
    content = b'{"format": "tailorkit.project", "version": ' + b"1" * 5000 + b"}"
    response = client_for(alice).post(reverse("projects:project_import", args=[org.slug]), {"file": upload(content)})
    assert response.status_code == 200
    assert "the file holds a number with far too many digits to be a project export" in response.content.decode()
    assert not ProjectImport.objects.exists()


def test_a_file_with_too_many_rows_is_refused_at_the_file_field(client_for, alice, org, exported, monkeypatch):
    monkeypatch.setattr(file_format, "MAX_ROWS", 10)
    response = client_for(alice).post(reverse("projects:project_import", args=[org.slug]), {"file": upload(exported)})
    html = response.content.decode()
    assert re.search(r'class="field-error">The file holds \d+ rows, more than the 10 a project can have here', html)
    assert not ProjectImport.objects.exists()


def test_the_stored_file_is_cleared_once_the_import_is_done(alice, org, exported):
    job = queue(org, alice, exported)
    assert bytes(job.content) == exported
    assert import_project_file.call(job.pk) == "done"
    job.refresh_from_db()
    assert bytes(job.content) == b"" and job.project is not None


def test_the_stored_file_is_cleared_once_the_import_has_failed(alice, org, exported):
    job = queue(org, alice, exported.replace(b'"step": "plan"', b'"step": "goals"'))
    assert import_project_file.call(job.pk) == "failed"
    job.refresh_from_db()
    assert bytes(job.content) == b"" and job.errors and job.project is None


def test_running_the_task_twice_for_one_import_makes_one_project(alice, org, exported):
    job = queue(org, alice, exported)
    assert import_project_file.call(job.pk) == "done"
    assert import_project_file.call(job.pk) == "done"
    assert copies(org) == 2 and ProjectImport.objects.get().attempts == 1


def test_a_duplicate_that_finishes_first_leaves_the_other_run_nothing_to_write(alice, org, exported, monkeypatch):
    """Two runs of one import at the same time (a duplicated task after a stale worker came back):
    the second starts and finishes while the first is still checking the file. The first must then
    find the import done when it locks the row to write, and create nothing."""
    job = queue(org, alice, exported)
    check = file_format.validate_file
    runs = []

    def validate_while_another_run_finishes(data, organisation, progress=None):
        runs.append(1)
        if len(runs) == 1:
            ProjectImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
            assert import_project_file.call(job.pk) == "done"  # the duplicate, start to end
        return check(data, organisation, progress=progress)

    monkeypatch.setattr(queued, "validate_file", validate_while_another_run_finishes)
    assert import_project_file.call(job.pk) == "done"
    assert len(runs) == 2 and copies(org) == 2
    assert ProjectImport.objects.get().attempts == 2


def stopped(job, seconds, attempts=1):
    """The row as a killed worker leaves it: running, last heard of ``seconds`` ago."""
    ProjectImport.objects.filter(pk=job.pk).update(status="running", stage="writing", attempts=attempts,
                                                   heartbeat_at=timezone.now() - timedelta(seconds=seconds))


def test_viewing_a_stale_running_import_queues_it_again_and_it_finishes_once(
        client_for, alice, org, exported, settings, django_capture_on_commit_callbacks):
    settings.TAILORKIT_IMPORT_STALE_SECONDS = 120
    job = queue(org, alice, exported)
    stopped(job, 121)
    url = reverse("projects:project_import_status", args=[org.slug, job.uuid])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client_for(alice).get(url)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2 and copies(org) == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert "Project imported" in client_for(alice).get(url).content.decode()
    assert not callbacks and copies(org) == 2


def test_an_import_that_still_shows_signs_of_life_is_left_alone(client_for, alice, org, exported, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.TAILORKIT_IMPORT_STALE_SECONDS = 120
    job = queue(org, alice, exported)
    stopped(job, 60)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        html = client_for(alice).get(reverse("projects:project_import_status", args=[org.slug, job.uuid])).content
    assert not callbacks and ProjectImport.objects.get().status == "running" and copies(org) == 1
    assert "Creating the project" in html.decode()


def test_the_resume_imports_command_queues_stale_imports_again(alice, org, exported, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.TAILORKIT_IMPORT_STALE_SECONDS = 120
    job = queue(org, alice, exported)
    stopped(job, 500)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resume_imports", verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and copies(org) == 2


def test_an_import_whose_task_was_never_queued_is_queued_again_once_per_period(
        alice, org, exported, settings, django_capture_on_commit_callbacks):
    """The process died between storing the file and queuing its task: the row says "queued" and no
    task will ever take it."""
    settings.TAILORKIT_IMPORT_STALE_SECONDS = 120
    job = queue(org, alice, exported)  # its on-commit queuing never ran here
    ProjectImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=121))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert queued.project_imports_resume() == 1
        assert queued.project_imports_resume() == 0  # not again within the period
    assert len(callbacks) == 1
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == "done" and copies(org) == 2


def test_finished_imports_are_deleted_after_the_retention_period(alice, org, exported, settings):
    settings.TAILORKIT_TASK_RESULT_DAYS = 7
    old, recent, waiting = (queue(org, alice, exported) for _ in range(3))
    ProjectImport.objects.filter(pk=old.pk).update(status="failed", finished_at=timezone.now() - timedelta(days=8),
                                                   errors=["sam@example.org is not on the team"])
    ProjectImport.objects.filter(pk=recent.pk).update(status="done", finished_at=timezone.now() - timedelta(days=6))
    ProjectImport.objects.filter(pk=waiting.pk).update(heartbeat_at=timezone.now() - timedelta(days=30))
    call_command("resume_imports", verbosity=0)
    assert set(ProjectImport.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_an_import_that_keeps_losing_its_worker_fails_with_a_message(alice, org, exported, settings):
    settings.TAILORKIT_IMPORT_STALE_SECONDS = 120
    job = queue(org, alice, exported)
    stopped(job, 500, attempts=queued.MAX_ATTEMPTS)
    assert queued.project_imports_resume() == 1
    job.refresh_from_db()
    assert job.status == "failed" and bytes(job.content) == b"" and copies(org) == 1
    assert job.errors[0].startswith(f"The import stopped {queued.MAX_ATTEMPTS} times")


def test_the_worker_reports_each_stage_with_counts(alice, org, exported, monkeypatch):
    monkeypatch.setattr(file_format, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(queued, "PROGRESS_SECONDS", 0)
    seen = []
    record = queued._progress

    def spy(job, stage, done=0, total=0):
        record(job, stage, done, total)
        seen.append((stage, *ProjectImport.objects.filter(pk=job.pk).values_list("stage", "done", "total").get()))

    monkeypatch.setattr(queued, "_progress", spy)
    job = queue(org, alice, exported)
    rows = sum(job.counts.values())
    import_project_file.call(job.pk)
    stages = [s[0] for s in seen]
    assert stages[0] == "reading" and stages[-1] == "writing" and "checking" in stages
    checked = [(done, total) for stage, _s, done, total in seen if stage == "checking"]
    assert checked[0] == (0, rows) and checked[-1] == (rows, rows) and (10, rows) in checked
    assert all(stage == stored for stage, stored, _d, _t in seen)  # written at once, visible to the page


def test_the_status_page_shows_the_stage_with_a_progress_bar_while_it_runs(client_for, alice, org, exported):
    job = queue(org, alice, exported)
    ProjectImport.objects.filter(pk=job.pk).update(status="running", stage="checking", done=1200, total=3000,
                                                   heartbeat_at=timezone.now())
    client = client_for(alice)
    url = reverse("projects:project_import_status", args=[org.slug, job.uuid])
    html = client.get(url).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and 'hx-trigger="every 2s"' in html
    assert 'id="import-progress" aria-live="polite"' in html
    assert "Checking the file: 1,200 of 3,000 rows." in html
    assert '<progress aria-labelledby="import-stage" value="1200" max="3000"></progress>' in html
    assert "2 goals" in html and "3 tasks" in html
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Checking the file: 1,200 of 3,000 rows." in partial and "<h1>" not in partial
    # Once it is finished, the polling request reloads the whole page, which shows the outcome.
    ProjectImport.objects.filter(pk=job.pk).update(status="failed", stage="finished", errors=["x: wrong"])
    assert client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"


def test_the_status_page_says_when_the_worker_has_not_started_after_30_seconds(client_for, alice, org, exported):
    job = queue(org, alice, exported)
    client = client_for(alice)
    url = reverse("projects:project_import_status", args=[org.slug, job.uuid])
    assert "The import has not started yet" not in client.get(url).content.decode()
    ProjectImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=31))
    html = client.get(url).content.decode()
    assert "The import has not started yet" in html and "the background worker must be started" in html


def test_the_imported_rows_history_is_by_the_importer_without_a_request(alice, org, exported):
    job = queue(org, alice, exported)
    import_project_file.call(job.pk)
    job.refresh_from_db()
    imported = Goal.history.filter(project_id=job.project.pk, history_change_reason="Imported from a Tailorkit export")
    assert imported.count() == 2 and {h.history_user for h in imported} == {alice}


def test_an_importer_who_lost_the_right_to_edit_before_the_worker_ran_gets_a_failure(bob, org, exported):
    job = queue(org, bob, exported)
    Membership.objects.filter(user=bob, organisation=org).update(role=Role.VIEWER)
    bob.__dict__.pop("_tailorkit_roles", None)
    assert import_project_file.call(job.pk) == "failed"
    job.refresh_from_db()
    assert job.errors == [f"You may no longer add projects to {org.name}, so the file was not imported."]
    assert copies(org) == 1


def test_only_the_uploader_sees_an_import_and_outsiders_get_404(client_for, alice, bob, mallory, org, exported):
    job = queue(org, alice, exported)
    url = reverse("projects:project_import_status", args=[org.slug, job.uuid])
    assert client_for(alice).get(url).status_code == 200
    assert client_for(bob).get(url).status_code == 404
    assert client_for(mallory).get(url).status_code == 404
    assert client_for(mallory).post(url).status_code == 404
    elsewhere = Membership.objects.get(user=mallory).organisation
    other = reverse("projects:project_import_status", args=[elsewhere.slug, job.uuid])
    assert client_for(mallory).get(other).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_worker_imports_the_file_and_its_task_row_holds_only_the_id(
        settings, alice, org, exported, django_capture_on_commit_callbacks):
    """With the real queue and worker (django-tasks-db), in real transactions: the task's row keeps the
    import's id and its status, never the file or what it holds."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = queue(org, alice, exported)
    assert ProjectImport.objects.get().status == "queued" and copies(org) == 1
    call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and copies(org) == 2
    row = DBTaskResult.objects.get()
    assert row.status == "SUCCESSFUL" and row.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert row.return_value == "done" and "alice@example.org" not in json.dumps(row.args_kwargs)
