"""Secrets out of the logs: the one rule for masking the secret segment of a path.

Some paths carry a secret in their last segment: respondents' links (/c/i/<token>/, /c/o/<token>/),
invitations to join an organisation (/invitation/<token>/) and allauth's email-confirmation and
password-reset keys. gunicorn's access log (gunicorn.conf.py) and Django's own log records
(``RedactSecrets``, in settings.LOGGING: a server error is logged with its path) pass through
``redact``, so no log can be used to open a link or to tie a time and an address to an invitation.
No Django import here: gunicorn.conf.py loads this before Django is set up.
"""

import logging
import re

SECRET_IN_PATH = re.compile(
    r"(/(?:c/[io]|invitation|accounts/confirm-email|accounts/password/reset/key)/)(?!done/)[^/?#\s\"]+")
REDACTED = r"\1[redacted]"


def redact(value):
    """``value`` with the secret segment of every such path replaced by ``[redacted]``."""
    return SECRET_IN_PATH.sub(REDACTED, value) if isinstance(value, str) and "/" in value else value


class RedactSecrets(logging.Filter):
    """Masks secret paths in a log record's message (its arguments are merged in first)."""

    def filter(self, record):
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True
