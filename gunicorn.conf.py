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
"""

import os

bind = os.environ.get("TAILORKIT_BIND", "127.0.0.1:8000")
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
backlog = 2048
timeout = 30
