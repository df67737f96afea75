"""gunicorn settings for Tailorkit. gunicorn reads this file from its working directory by itself;
deploy/tailorkit-web.service and bench/consultation_load.py both run with it, so the benchmark
measures what production runs. Figures behind these choices: docs/performance.md.

* Sync workers (one request at a time per process), not threads: with 4 threads per process the
  threads queue for Python's interpreter lock, and the slowest 1 % of respondent submits took
  several times longer than with the same number of single-threaded processes.
* One worker per core by default (``WEB_CONCURRENCY`` overrides it): the work is CPU-bound, and on
  SQLite extra processes only wait for the single writer's lock.
* Sync workers must sit behind a proxy that buffers requests and responses (nginx does by
  default), so that slow clients do not hold a worker; docs/deploy.md says so.
* The access log masks the tokens in respondents' links and other secret links (below).
"""

import os
import sys

from gunicorn.glogging import Logger

# gunicorn reads this file before it changes into --chdir: make the project importable from here.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tailorkit.core.redaction import redact  # noqa: E402

bind = os.environ.get("TAILORKIT_BIND", "127.0.0.1:8000")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
backlog = 2048
timeout = 30

# --- Access log without secrets -----------------------------------------------------------------
# The access log (deploy/tailorkit-web.service turns it on) writes each request's path with its
# time; the secret segment of respondents' and invitation links is masked in every field of the
# line (request line, path, referrer, headers) by the rule in tailorkit/core/redaction.py.
# tailorkit/consultations/tests/test_access_log.py checks every URL pattern with a token or key.
# docs/deploy.md shows the same for nginx.


class RedactingLogger(Logger):
    """gunicorn's logger; access-log fields pass through ``redact``."""

    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) for key, value in super().atoms(resp, req, environ, request_time).items()}


logger_class = RedactingLogger
