"""Extension points through which the consultations app adds to the project step pages.

Why a registry instead of an import: the step pages show consultations made from a step and the
stakeholders' ratings that flow back (issue 4, points 2 and 7), but the data-flow rule of
DESIGN.md is "nothing lower imports anything higher". The step-template glue needs the project
models (barriers, options, plans, criteria), so it lives in ``tailorkit.consultations`` and
imports projects; if the projects views imported consultations as well, the two apps would form a
cycle. So projects only declares the hooks below, consultations registers providers for them in
its ``AppConfig.ready()``, and the step views call ``call(...)``. Without a provider (the
consultations app not installed) a hook returns None and the pages simply show the team's own
figures.

Hooks (keyword arguments only; each provider returns plain data or None):

* ``STEP_CONSULTATIONS(request=, project=, step=, iteration=)`` → the "Ask stakeholders" panel of a
  step page: ``{"heading", "ask_url", "ask_label", "can_ask", "consultations": [...]}``; each
  consultation ``{"title", "status", "responses", "url", "results_url"}``.
* ``STAKEHOLDER_BARRIER_RATINGS(project=)`` → ``{"values": {barrier_id: (importance,
  changeability, n)}, "withheld": {barrier_id, ...}, "threshold": int, "title": str, "url": str,
  "responses": int}`` from the latest barrier-prioritisation consultation that has answers.
  Withheld barriers carry ``(None, None, 0)`` in ``values``.
* ``STAKEHOLDER_APPRAISALS(project=, options=)`` → the same shape for strategy appraisal, with
  ``values`` = ``{option_id: {criterion: mean}}`` and ``withheld`` = ``{(option_id, criterion)}``.
"""

STEP_CONSULTATIONS = "step_consultations"
STAKEHOLDER_BARRIER_RATINGS = "stakeholder_barrier_ratings"
STAKEHOLDER_APPRAISALS = "stakeholder_appraisals"
NAMES = {STEP_CONSULTATIONS, STAKEHOLDER_BARRIER_RATINGS, STAKEHOLDER_APPRAISALS}

_providers = {}


def register(name, provider):
    """Register ``provider`` for hook ``name`` (one provider per hook; a later one replaces it)."""
    if name not in NAMES:
        raise ValueError(f"Unknown project hook {name!r}")
    _providers[name] = provider


def call(name, **kwargs):
    """The provider's answer, or None when nothing is registered for ``name``."""
    provider = _providers.get(name)
    return None if provider is None else provider(**kwargs)
