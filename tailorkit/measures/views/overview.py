"""The organisation's measures at a glance: a sparkline, the latest value and signal of each, and
what needs attention (a new signal, data overdue, and what apps above the engine report through
``measures.attention``, such as a success criterion whose date has passed).

The page reads a constant number of queries however many measures it shows: the series of every
measure on the page in one query, analysed in Python (``selectors.overview_rows``); the sparklines
come from ``measures.charts``, which keeps them through ``core.charts.cached``. "All" pages the
measures in the database; "needs attention" has to analyse every measure to know which need it,
then pages the result.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.permissions import can, get_organisation_or_404

from .. import charts, periods, selectors, spc

PER_PAGE = 25
ATTENTION = "attention"


@login_required
def measure_overview(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    show = ATTENTION if request.GET.get("show") == ATTENTION else ""
    today = timezone.localdate()
    measures = selectors.overview_measures(org)
    if show:
        measures = list(measures)
        needing = [r for r in selectors.overview_rows(org, measures, today=today) if r.attention]
        page = Paginator(needing, PER_PAGE).get_page(request.GET.get("page"))
        rows, has_measures = page.object_list, bool(measures)
    else:
        page = Paginator(measures, PER_PAGE).get_page(request.GET.get("page"))
        rows, has_measures = selectors.overview_rows(org, page.object_list, today=today), page.paginator.count > 0
    return render(request, "measures/overview.html", {
        "org": org, "page": page, "rows": [_shown(r) for r in rows], "show": show, "has_measures": has_measures,
        "can_edit": can(request.user, "edit", org),
    })


# The overview's icons are the chart's shapes, so a signal looks the same in both places; the words
# beside them and the CSS class carry the same meaning, so none of it rests on colour alone.
ICONS = {"up": "▲", "down": "▼", "diamond": "◆"}
SIGNAL_CSS = {spc.IMPROVEMENT: "improvement", spc.CONCERN: "concern", spc.NEUTRAL: "neutral"}


def _shown(row):
    measure, latest, signal = row.measure, row.latest, row.signal
    shown = {"measure": measure, "attention": row.attention, "sparkline": charts.sparkline(measure, row.analysis),
             "latest_value": charts.value_text(measure, latest.value) if latest else "",
             "latest_period": periods.label(measure.period, latest.period) if latest else "",
             "signal": None, "alt": ""}
    if signal is not None:
        direction = signal.direction if signal.direction in SIGNAL_CSS else spc.NEUTRAL
        shown["signal"] = {"css": SIGNAL_CSS[direction], "label": charts.direction_name(direction),
                           "words": signal.words, "icon": ICONS[charts.shape_of(direction, measure.better)]}
    if latest:
        shown["alt"] = _("Sparkline of %(name)s: %(n)s periods, the latest %(value)s (%(period)s).") % {
            "name": measure.name, "n": len(row.analysis.points), "value": shown["latest_value"],
            "period": shown["latest_period"]}
    return shown
