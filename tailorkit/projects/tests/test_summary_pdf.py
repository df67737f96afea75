"""The summary's PDF is made by the background worker, never in the request (issue 11): the request serves a
PDF made from exactly the summary it would show, or queues its making once and answers with a page that
waits for it.

Under pytest the task backend runs a job the moment it is queued, so the PDF is there on the first
request (the other PDF tests rely on it); the tests here that need a job to wait use the real database
queue, and one runs the real worker.
"""

import io
import time

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from tailorkit.core.models import AuditEvent
from tailorkit.projects.services import summary as summary_pdf

from .test_records_transfer import build_full_project


def _url(project):
    return reverse("projects:project_summary_pdf", args=[project.organisation.slug, project.pk])


def _text(response):
    assert response["Content-Type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def queued(settings):
    """The real database queue, with no worker running."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_without_a_worker_the_request_queues_one_job_and_says_the_pdf_is_being_made(client_for, bob, project,
                                                                                      queued):
    client = client_for(bob)
    response = client.get(_url(project))
    html = response.content.decode()
    assert response.status_code == 202 and response["Content-Type"].startswith("text/html")
    assert "Preparing your PDF…" in html and 'aria-live="polite"' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'hx-get="{_url(project)}"' in html and "seems not to be running" not in html
    for _i in range(3):  # the page's refreshes do not queue more
        assert client.get(_url(project)).status_code == 202
    row = DBTaskResult.objects.get()
    assert row.status == "READY" and row.args_kwargs == {"args": [project.pk, bob.pk, "en"], "kwargs": {}}
    assert not AuditEvent.objects.filter(action="project.exported").exists()  # nothing handed out yet


def test_the_page_says_when_the_worker_seems_not_to_be_running(client_for, bob, project, queued, monkeypatch):
    client = client_for(bob)
    client.get(_url(project))
    later = time.time() + 31
    monkeypatch.setattr(time, "time", lambda: later)
    html = client.get(_url(project), headers={"HX-Request": "true"}).content.decode()
    assert "seems not to be running" in html and "manage.py worker" in html
    assert "<html" not in html and 'hx-trigger="every 2s"' in html  # the polled part only, still polling


def test_a_ready_pdf_is_offered_to_the_polling_page_and_served_on_a_plain_request(client_for, bob, project):
    client = client_for(bob)
    html = client.get(_url(project), headers={"HX-Request": "true"}).content.decode()
    assert "Your PDF is ready." in html and f'href="{_url(project)}"' in html and "hx-trigger" not in html
    response = client.get(_url(project))
    assert project.name in _text(response)
    assert response["Content-Disposition"] == 'attachment; filename="icbt-in-primary-care-summary.pdf"'


def test_a_pdf_is_never_served_for_data_other_than_the_summary_shows(client_for, alice, bob, project, queued):
    client = client_for(bob)
    client.get(_url(project))
    summary_pdf.summary_pdf_make(project_id=project.pk, user_id=bob.pk, language="en")  # the job, run here
    assert client.get(_url(project))["Content-Type"] == "application/pdf"
    project.service = "Group CBT"
    project.save()
    response = client.get(_url(project))
    assert response.status_code == 202  # the PDF made before the change is not the summary now
    assert DBTaskResult.objects.count() == 2


def test_a_failed_pdf_says_so_without_refreshing_and_offers_to_try_again(client_for, bob, project, monkeypatch):
    import weasyprint

    def broken(**kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(weasyprint, "HTML", broken)
    response = client_for(bob).get(_url(project))
    html = response.content.decode()
    assert response.status_code == 202 and "The PDF could not be made." in html
    assert 'role="alert"' in html and f'<a href="{_url(project)}">Try again</a>' in html
    assert "http-equiv" not in html and "hx-trigger" not in html  # no refreshing while it has failed


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_the_pdf_and_the_next_request_serves_it(client_for, alice, bob, project, settings):
    """With the real queue and worker (django-tasks-db) in real transactions: the request queues the job,
    the worker makes the PDF, the next request serves it (and records the export)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    build_full_project(project, alice, bob)
    client = client_for(bob)
    try:
        assert client.get(_url(project)).status_code == 202
        call_command("worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        row = DBTaskResult.objects.get()
        assert row.status == "SUCCESSFUL" and row.return_value == "made"
        response = client.get(_url(project))
        text = _text(response)
        assert project.name in text and "Referral letter template" in text and "Summary made with Tailorkit" in text
        assert summary_pdf.MADE_AT not in text
        assert AuditEvent.objects.filter(action="project.exported", actor=bob, details__format="pdf").count() == 1
        assert DBTaskResult.objects.count() == 1  # served from the cache: no second job
    finally:
        caches["pdfs"].clear()  # the cache table is not emptied between transactional tests
