"""Secret paths are masked in Django's own log records too: a server error is logged with its
path (gunicorn's access log is checked in test_access_log.py)."""

import logging

from django.test import Client

from tailorkit.consultations.services import responding
from tailorkit.core.redaction import RedactSecrets

SECRET = "Zq3secretTOKENvalue"


def test_a_server_error_on_a_link_is_logged_without_its_token(monkeypatch, db):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(responding, "invitation_for_token", broken)
    # The console handler settings.LOGGING configures, with its filter.
    (handler,) = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecrets) for f in h.filters)]
    lines = []
    monkeypatch.setattr(handler, "emit", lambda record: lines.append(handler.format(record)))

    assert Client(raise_request_exception=False).get(f"/c/i/{SECRET}/").status_code == 500

    assert any("Internal Server Error: /c/i/[redacted]/" in line for line in lines)
    assert all(SECRET not in line for line in lines)
