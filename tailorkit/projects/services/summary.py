"""The project summary (issue 3, point 10): what it shows, for the page and the PDF alike, and its PDF,
made by the background worker (issue 11).

WeasyPrint takes 1–8 s for a summary, far too long for a request. So the request renders the summary's
HTML (a few tens of milliseconds), fingerprints it (the "made on …" moment left out) and looks for a
PDF made from exactly that HTML in the ``pdfs`` cache. If there is one, it is served. If not, a job is
queued (once: a pending marker keeps the page's refreshes from queueing more) that renders the summary
again for the same project, person and language, and keeps the PDF under the fingerprint of the HTML it
rendered. When the data changed meanwhile, that fingerprint is not the one asked for, and the next
refresh, which renders the new data, finds it. A PDF is never served for data other than the page's.

The stakeholder engagement section (issue 17: the groups × steps picture and the records) is part of
that HTML, so a new record or plan changes the fingerprint like any other change; named people are
never in it.

The anonymity rule holds in the PDF as on the page: both are rendered from ``summary_context``, whose
stakeholder figures pass through ``core.anonymity`` (``selectors.summary``).

As elsewhere, the job takes ids and words only (django-tasks-db keeps arguments in its table).
"""

import hashlib
import logging
import time

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation

from tailorkit.core.permissions import can
from tailorkit.library.evidence import COMBINED_RULE

from .. import charts, stakeholders
from ..forms.planning import pack_labels
from ..models import Project
from ..selectors import goals as goal_reads
from ..selectors import matching as matching_reads
from ..selectors import measures as measure_reads
from ..selectors import summary as summary_reads
from ..selectors.planning import spec_values
from .effort import effort_totals

logger = logging.getLogger(__name__)

# A PDF is kept for two days: its key changes with the summary's content, so an entry is never stale,
# only unused (the cache's own culling removes the oldest beyond MAX_ENTRIES).
PDF_SECONDS = 2 * 24 * 3600
# A job that has not finished after this long is taken for lost, and the next request queues another.
PENDING_SECONDS = 10 * 60
# After a failed job the page says so; a request after this long tries again.
FAILED_SECONDS = 60
# Stands for the "made on …" moment while the HTML is fingerprinted.
MADE_AT = "@@tailorkit-summary-made-at@@"


def _cache():
    return caches["pdfs" if "pdfs" in settings.CACHES else "default"]


def summary_context(project):
    """Everything the summary shows, for the page and the PDF, in a fixed number of queries."""
    found = summary_reads.iterations_in_summary(project)
    current = found["current"]
    spec = getattr(current, "specification", None) if current else None
    spec_rows = []
    if spec is not None:  # the filled items, labelled as on the plan page (merged items name both frameworks)
        spec_rows = [(label, value) for _f, label, value in spec_values(spec, pack_labels()) if value.strip()]
    return {
        **found, "project": project, "org": project.organisation, "spec_rows": spec_rows,
        "n_earlier_more": found["n_earlier"] - len(found["earlier"]),
        "team": list(project.team.order_by("name", "email")),
        "goals": project.goals.all() if not current or not current.focus_goals else current.focus_goals,
        "generated_at": dateformat.format(timezone.localtime(), "j M Y, H:i"),
        **_charts_and_stakeholders(project),
        **summary_reads.engagement_in_summary(project),
        **_strategy_ranking(project, current),
        **dict(zip(("measure_charts", "more_measures"), measure_reads.summary_measures(project, current),
                   strict=True)),
    }


# Strategies of the combined ranking in the summary; the step 2 page shows them all.
RANKING_IN_SUMMARY = 10


def _strategy_ranking(project, current):
    """The combined ranking of the focused barriers (issue 12), as on the step 2 page: three queries."""
    if current is None or not any(b.item_id for b in current.focus_barriers):
        return {"ranking": None}
    ranking = matching_reads.combined_ranking_for(project, current.focus_barriers)
    ranking.limit = RANKING_IN_SUMMARY
    return {"ranking": ranking, "combined_rule": COMBINED_RULE}


def _charts_and_stakeholders(project):
    """The summary's "What stakeholders said" section and its charts (issue 10). Each chart is drawn once
    here (and cached by ``core.charts``), for the page and the PDF alike; the templates put a table with
    the same numbers beside each."""
    figures = stakeholders.stakeholder_barrier_figures(project)
    ranked = goal_reads.ranked_barriers(project, figures["values"] if figures else None)
    consultations, n_more = summary_reads.stakeholder_results(project)
    criteria = summary_reads.apease_names()
    for entry in consultations:
        entry["chart"] = charts.stakeholder_means(entry, dict(criteria))
    _by_person, by_step, total = effort_totals(project)
    for row in by_step:
        row["hours"] = row["minutes"] / 60
    return {
        "ranked": [r for r in ranked if r.mean_importance is not None],
        "matrix": charts.prioritisation_matrix(ranked),
        "stakeholder_consultations": consultations, "more_consultations": n_more, "apease_criteria": criteria,
        "effort_by_step": by_step, "effort_hours": total / 60, "effort_chart": charts.effort_by_step(by_step),
    }


def _inline_css():
    # WeasyPrint must not fetch anything over the network: the stylesheet is read from disk.
    path = finders.find("tailorkit/tailorkit.css")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def summary_document(project):
    """``(HTML of the PDF with MADE_AT for its moment, fingerprint)`` in the active language. Rendered
    without a request, so the request and the job render the same text from the same data."""
    html = render_to_string("projects/summary_pdf.html", {
        **summary_context(project), "generated_at": MADE_AT, "css": _inline_css(),
        "LANGUAGE_CODE": translation.get_language()})
    return html, hashlib.sha256(html.encode()).hexdigest()


def _keys(project_id, fingerprint):
    return f"summary-pdf:{project_id}:{fingerprint}", f"summary-pdf-pending:{project_id}:{fingerprint}"


def summary_pdf_state(*, project, user, language):
    """The PDF of the summary as ``user`` would see it now: ``{"pdf": bytes}`` when it is ready, else
    ``{"pdf": None, "queued_at": UNIX time or None, "failed": bool}``, having queued its job if none is
    pending. With a task backend that runs jobs at once (the tests), the PDF is ready on return."""
    with translation.override(language):
        _html, fingerprint = summary_document(project)
    pdf_key, pending_key = _keys(project.pk, fingerprint)
    cache = _cache()
    found = cache.get_many([pdf_key, pending_key])
    if pdf_key in found:
        return {"pdf": found[pdf_key]}
    pending = found.get(pending_key)
    if pending is None and cache.add(pending_key, {"at": time.time(), "failed": False}, PENDING_SECONDS):
        from ..tasks import make_summary_pdf  # tasks import the services: import here, not at the top

        make_summary_pdf.enqueue(project.pk, user.pk, language)
        found = cache.get_many([pdf_key, pending_key])  # made already when the backend runs jobs at once
        if pdf_key in found:
            return {"pdf": found[pdf_key]}
        pending = found.get(pending_key)
    pending = pending or {}
    return {"pdf": None, "queued_at": pending.get("at"), "failed": pending.get("failed", False)}


def summary_pdf_make(*, project_id, user_id, language):
    """Render the summary of ``project_id`` as ``user_id`` sees it, in ``language``, and keep the PDF under
    the fingerprint of the HTML rendered (the body of ``tasks.make_summary_pdf``). Returns "made",
    "kept" (another job made it already) or "refused" (the project or the person's access is gone)."""
    import weasyprint

    from tailorkit.core.models import User

    project = Project.objects.select_related("organisation", "owner").filter(pk=project_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if project is None or user is None or not can(user, "view", project):
        return "refused"
    cache = _cache()
    with translation.override(language):
        html, fingerprint = summary_document(project)
        pdf_key, pending_key = _keys(project.pk, fingerprint)
        if cache.get(pdf_key) is not None:
            cache.delete(pending_key)
            return "kept"
        html = html.replace(MADE_AT, dateformat.format(timezone.localtime(), "j M Y, H:i"))
        try:
            pdf = weasyprint.HTML(string=html, base_url=settings.SITE_URL).write_pdf()
        except Exception:
            logger.exception("The summary PDF of project %s could not be made", project_id)
            cache.set(pending_key, {"at": time.time(), "failed": True}, FAILED_SECONDS)
            raise
    cache.set(pdf_key, pdf, PDF_SECONDS)
    cache.delete(pending_key)
    return "made"
