"""Uploading a CSV or XLSX file of values: checked whole by the worker (every problem at its row and
column, nothing stored), confirmed by the person, stored all at once, re-uploads kept in the history."""

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tailorkit.measures.models import Measure, MeasureUpload, Observation
from tailorkit.measures.services import uploads
from tailorkit.measures.tests.factories import make_measure


def upload_url(measure):
    return reverse("measures:measure_upload", args=[measure.organisation.slug, measure.pk])


def xlsx(rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def two_years(bad_at=None):
    """Header and 24 months of a proportion from January 2024, typed as dates; ``bad_at``: a row
    (counting the header as 1) whose denominator is smaller than its numerator."""
    rows = [["Month", "Numerator", "Denominator"]]
    for i in range(24):
        rows.append([datetime(2024 + i // 12, i % 12 + 1, 1), 30 + i, 10 if i + 2 == bad_at else 60])
    return rows


def send(client, measure, name, content, capture):
    """Upload, let the worker run (the test backend runs a task once its transaction commits), then
    open the page the upload led to."""
    with capture(execute=True):
        response = client.post(upload_url(measure), {"file": SimpleUploadedFile(name, content)})
    return client.get(response["Location"], follow=True)


def decide(client, response, action, capture):
    with capture(execute=True):
        answer = client.post(response.request["PATH_INFO"], {"action": action})
    return client.get(answer["Location"], follow=True)


def test_an_xlsx_file_with_a_bad_row_is_refused_whole_then_stored_once_corrected(
        client_for, org, alice, django_capture_on_commit_callbacks):
    measure = make_measure(org, alice, kind=Measure.Kind.PROPORTION, name="Offered iCBT")
    client = client_for(alice)
    response = send(client, measure, "offered.xlsx", xlsx(two_years(bad_at=9)), django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert "The file has problems: nothing was stored" in page
    row = re.search(r"<tr><td>9</td><td>([^<]*)</td><td>([^<]*)</td>", page)
    assert row and row[1] == "Denominator" and "smaller than the numerator" in row[2]
    assert not Observation.objects.exists()
    assert MeasureUpload.objects.get().content == b""                      # a refused file is not kept

    response = send(client, measure, "offered.xlsx", xlsx(two_years()), django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert "The file is ready to be stored" in page and "24 rows" in page
    assert "2024-01-01" in page                                            # the preview, as read
    assert not Observation.objects.exists()                                # nothing before the confirmation
    done = decide(client, response, "store", django_capture_on_commit_callbacks).content.decode()
    assert "Values stored" in done and "24 new periods" in done
    stored = Observation.objects.filter(measure=measure).order_by("period_start")
    assert stored.count() == 24 and stored.first().value == 50.0 and stored.last().period_start == date(2025, 12, 1)
    assert set(stored.values_list("source", flat=True)) == {Observation.Source.UPLOAD}


def test_every_problem_of_a_csv_file_is_named_at_its_row_and_column(client_for, org, alice,
                                                                     django_capture_on_commit_callbacks):
    measure = make_measure(org, alice)
    content = b"period;value;note\n2025-01;12;ok\n2025-13;4;\n2025-02;lots;\n2025-01;9;again\n"
    page = send(client_for(alice), measure, "referrals.csv", content,
                django_capture_on_commit_callbacks).content.decode()
    errors = page[page.index('class="upload-errors"'):page.index("</table>", page.index('class="upload-errors"'))]
    problems = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", errors)
    by_row = {int(r): (c, m) for r, c, m in problems}
    assert set(by_row) == {3, 4, 5}
    assert by_row[3][0] == "period" and "no month 13" in by_row[3][1]
    assert by_row[4][0] == "value" and "is not a number" in by_row[4][1].replace("&#x27;", "'")
    assert by_row[5][0] == "period" and "also in row 2" in by_row[5][1]
    assert "Columns not read: note" in page and not Observation.objects.exists()


def test_uploading_a_period_again_updates_it_and_keeps_the_old_value_in_the_history(
        client_for, org, alice, django_capture_on_commit_callbacks):
    measure = make_measure(org, alice, values=[10, 11], first=date(2025, 1, 1))
    client = client_for(alice)
    response = send(client, measure, "again.csv", b"Month,Count\n2025-01,10\n2025-02,15\n2025-03,8\n",
                    django_capture_on_commit_callbacks)
    page = decide(client, response, "store", django_capture_on_commit_callbacks).content.decode()
    assert "1 new periods, 1 changed, 1 already had that value" in page
    february = Observation.objects.get(measure=measure, period_start=date(2025, 2, 1))
    assert february.numerator == 15 and february.version == 2
    assert sorted(february.history.values_list("numerator", flat=True)) == [11, 15]


def test_a_file_that_cannot_be_read_is_refused_at_the_field_and_not_kept(client_for, org, alice):
    measure = make_measure(org, alice, kind=Measure.Kind.PROPORTION)
    client = client_for(alice)
    cases = [("values.csv", b"period,value\n2025-01,3\n", "Missing: denominator"),
             ("values.xls", b"\xd0\xcf\x11\xe0rest", "old Excel file"),
             ("values.pdf", b"%PDF-1.4", "is neither"),
             ("values.csv", b"   \n", "The file is empty"),
             ("values.xlsx", b"not a zip at all", "cannot be read as an Excel workbook")]
    for name, content, message in cases:
        response = client.post(upload_url(measure), {"file": SimpleUploadedFile(name, content)})
        page = response.content.decode()
        assert response.status_code == 400 and message in page, name
        assert re.search(r'id="id_file_error" class="field-error"', page)
    assert not MeasureUpload.objects.exists()


def test_a_checked_file_can_be_set_aside_and_nothing_is_stored(client_for, org, alice,
                                                                django_capture_on_commit_callbacks):
    measure = make_measure(org, alice)
    client = client_for(alice)
    response = send(client, measure, "r.csv", b"period,value\n2025-01,3\n", django_capture_on_commit_callbacks)
    page = decide(client, response, "discard", django_capture_on_commit_callbacks).content.decode()
    assert "nothing was stored" in page and not Observation.objects.exists()
    assert MeasureUpload.objects.get().status == MeasureUpload.Status.FAILED


def test_the_status_page_shows_progress_while_waiting_and_refreshes_when_finished(
        client_for, org, alice, django_capture_on_commit_callbacks):
    measure = make_measure(org, alice)
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=False) as queued:  # no worker yet
        response = client.post(upload_url(measure), {"file": SimpleUploadedFile("r.csv", b"period,value\n2025-01,3\n")})
    status_url = response["Location"]
    page = client.get(status_url).content.decode()
    assert "Checking the file" in page and 'hx-trigger="every 2s"' in page and "<progress" in page
    partial = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Waiting for the background worker" in partial and "<html" not in partial
    for callback in queued:
        callback()
    finished = client.get(status_url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"


def test_only_the_uploader_sees_an_upload_and_outsiders_get_404(client_for, org, alice, bob, mallory,
                                                                 django_capture_on_commit_callbacks):
    measure = make_measure(org, alice)
    response = send(client_for(alice), measure, "r.csv", b"period,value\n2025-01,3\n",
                    django_capture_on_commit_callbacks)
    status_url = response.request["PATH_INFO"]
    assert client_for(bob).get(status_url).status_code == 404
    assert client_for(bob).post(status_url, {"action": "store"}).status_code == 404
    assert client_for(mallory).get(status_url).status_code == 404
    assert client_for(mallory).get(upload_url(measure)).status_code == 404
    assert not Observation.objects.exists()


def test_an_upload_whose_worker_was_lost_is_queued_again_and_stored_once(org, alice, settings,
                                                                          django_capture_on_commit_callbacks):
    measure = make_measure(org, alice)
    with django_capture_on_commit_callbacks(execute=False):   # the worker never picks it up
        job = uploads.measure_upload_queue(measure=measure, actor=alice, file_name="r.csv",
                                           content=b"period,value\n2025-01,3\n2025-02,4\n")
    assert uploads.measure_uploads_resume() == 0                # not stale yet: left alone
    MeasureUpload.objects.filter(pk=job.pk).update(
        status=MeasureUpload.Status.CHECKING, heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads.measure_uploads_resume() == 1
    job.refresh_from_db()
    assert job.status == MeasureUpload.Status.READY and job.rows == 2
    with django_capture_on_commit_callbacks(execute=True):
        uploads.measure_upload_confirm(upload=job, actor=alice)
    assert uploads.measure_upload_run(upload_id=job.pk) == MeasureUpload.Status.DONE   # a late second run
    assert Observation.objects.filter(measure=measure).count() == 2


def test_a_file_with_too_many_rows_is_refused_with_a_message(client_for, org, alice, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    monkeypatch.setattr(uploads, "MAX_FILE_ROWS", 3)
    measure = make_measure(org, alice, period=Measure.Period.DAY)
    content = b"day,count\n" + b"".join(b"2025-01-%02d,%d\n" % (d, d) for d in range(1, 6))
    page = send(client_for(alice), measure, "days.csv", content, django_capture_on_commit_callbacks).content.decode()
    assert "more than 3 rows of values. Split it" in page and not Observation.objects.exists()


def test_columns_named_otherwise_are_read_in_order_and_shown_before_storing(client_for, org, alice,
                                                                             django_capture_on_commit_callbacks):
    measure = make_measure(org, alice, kind=Measure.Kind.PROPORTION)
    client = client_for(alice)
    content = b"Month,Offered within 4 weeks,Referred,Clinic\n2025-01,20,50,North\n"
    page = send(client, measure, "own-names.csv", content, django_capture_on_commit_callbacks).content.decode()
    assert "The file is ready to be stored" in page
    assert "“Offered within 4 weeks” as the value (numerator); “Referred” as the denominator" in page
    assert "Columns not read: Clinic" in page
    response = client.post(upload_url(measure), {"file": SimpleUploadedFile("no-header.csv", b"2025-01,20,50\n")})
    assert response.status_code == 400 and "holds values, not column names" in response.content.decode()
