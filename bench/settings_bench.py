"""Settings for the load benchmark only: the production settings, with the per-address limits on
link openings lifted, because every simulated respondent comes from 127.0.0.1."""

from tailorkit.settings import *  # noqa: F403

TAILORKIT_CONSULTATION_RATE_LIMIT = 10**9
TAILORKIT_CONSULTATION_OPENINGS_LIMIT = 10**9
