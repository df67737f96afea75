"""The help page on the chart rules: what run and SPC charts show, each rule with its threshold,
rebasing, how a success criterion is judged from the data, and the sources.

Open to everyone, signed in or not, like the other help pages. The numbers on it (minimum points,
run lengths, the run chart thresholds) are read from ``spc`` so the page and the rules never differ.
"""

from django.shortcuts import render

from .. import spc

# Lengths of series for the table of run chart thresholds.
RUN_CHART_SIZES = (10, 12, 15, 20, 24, 30, 40, 52)


def chart_rules(request):
    thresholds = [{"n": n, "longest": spc.longest_run_allowed(n), "crossings": spc.crossings_needed(n - 1)}
                  for n in RUN_CHART_SIZES]
    return render(request, "measures/chart_rules.html", {
        "thresholds": thresholds, "example": thresholds[3],
        "min_limit_points": spc.MIN_LIMIT_POINTS, "min_run_points": spc.MIN_RUN_POINTS,
        "default_baseline": spc.DEFAULT_BASELINE, "shift_length": spc.SHIFT_LENGTH,
        "trend_length": spc.TREND_LENGTH,
    })
