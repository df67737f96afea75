from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tailorkit.projects.models import EffortEntry


def _log(client, org, project, **kw):
    data = {"date": timezone.localdate().isoformat(), "minutes": 90, "step": "goals", "activity": "Workshop", **kw}
    return client.post(reverse("projects:project_effort", args=[org.slug, project.pk]), data)


def test_a_member_logs_time_and_sees_totals_by_person_and_step(client_for, alice, bob, project, org):
    _log(client_for(bob), org, project)
    _log(client_for(alice), org, project, minutes=30, step="plan", activity="<script>x</script>")
    assert EffortEntry.objects.filter(project=project).count() == 2
    html = client_for(alice).get(reverse("projects:project_effort", args=[org.slug, project.pk])).content.decode()
    assert "120 minutes in all" in html
    assert "Bob Member" in html and "1 · Identify goals and barriers" in html and "3 · Design and plan" in html
    assert "data:image/svg+xml;base64," in html                                 # the chart, next to its table
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_bad_minutes_and_future_dates_are_refused(client_for, bob, project, org):
    client = client_for(bob)
    html = _log(client, org, project, minutes=0).content.decode()
    assert "greater than or equal to 1" in html
    html = _log(client, org, project, minutes=1441).content.decode()
    assert "less than or equal to 1440" in html
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = _log(client, org, project, date=tomorrow).content.decode()
    assert "has not come yet" in html
    assert not EffortEntry.objects.exists()


def test_a_viewer_cannot_log_time(client_for, dave, project, org):
    assert _log(client_for(dave), org, project).status_code == 403
    assert not EffortEntry.objects.exists()


def test_people_delete_their_own_entries_after_confirming(client_for, alice, bob, project, org):
    _log(client_for(bob), org, project)
    entry = EffortEntry.objects.get()
    url = reverse("projects:project_effort_delete", args=[org.slug, project.pk, entry.pk])
    assert client_for(alice).get(url).status_code == 404          # not alice's entry
    assert client_for(alice).post(url).status_code == 404
    client = client_for(bob)
    assert "Yes, delete it" in client.get(url).content.decode()
    assert EffortEntry.objects.exists()
    client.post(url)
    assert not EffortEntry.objects.exists()
    assert EffortEntry.history.filter(history_type="-").exists()   # still in the record
