"""The project file is streamed (issue 11, point 4): the download is the same text that the whole
file, built in memory, would be, and reading it holds no more for a project three times larger."""

import json

from django.urls import reverse

from tailorkit.core.models import AuditEvent
from tailorkit.projects.services.transfer import export as export_module
from tailorkit.projects.services.transfer import project_export

from .test_records_transfer import build_full_project


def _without_moment(data):
    return {k: v for k, v in data.items() if k != "exported_at"}


def test_the_download_is_the_text_of_the_whole_file(client_for, org, project, alice, bob, monkeypatch):
    monkeypatch.setattr(export_module, "CHUNK", 2)  # several chunks per list, even for this small project
    full = build_full_project(project, alice, bob)
    response = client_for(alice).get(reverse("projects:project_export", args=[org.slug, full.pk]))
    assert response.streaming and response["Content-Disposition"].startswith("attachment;")
    chunks = list(response.streaming_content)
    assert len(chunks) > 10
    text = b"".join(chunks).decode()
    streamed = json.loads(text)
    whole = project_export(project=full, user=alice)
    assert _without_moment(streamed) == _without_moment(whole)
    # The same layout as json.dumps of the whole file, byte for byte.
    assert text == json.dumps({**whole, "exported_at": streamed["exported_at"]}, ensure_ascii=False, indent=2)
    assert len(streamed["history"]) > 20 and streamed["barriers"][0]["item"]["pack"] == "icbt-determinants"
    dates = [h["date"] for h in streamed["history"]]
    assert dates == sorted(dates)
    assert AuditEvent.objects.filter(action="project.exported", details__format="json").count() == 2


def test_an_empty_list_is_written_as_an_empty_list(project, alice):
    text = "".join(export_module.project_export_stream(project=project, user=alice))
    data = json.loads(text)
    assert data["goals"] == [] and '"goals": [],' in text and data["iterations"][0]["number"] == 1
