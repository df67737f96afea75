"""Settings for bench/fault_drill.py only: the load benchmark's settings (production's, with the
per-address limits on link openings lifted, since every simulated respondent is 127.0.0.1), and
outgoing email written to files in the data folder, so the drill can count what the background
worker sent (production sends through SMTP; the application has no environment variable for a
file backend)."""

from bench.settings_bench import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = DATA_DIR / "sent-mail"  # noqa: F405
