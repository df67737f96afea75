"""An import writes set-based (issue 11, point 4): the number of statements it sends does not grow with
the rows of the file, only with the number of batches of ``imports.BATCH`` rows."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tailorkit.core.models import Organisation
from tailorkit.projects.models import Appraisal, Barrier, BarrierRating, Goal, Judgement, Task
from tailorkit.projects.services.transfer import project_export, project_import
from tailorkit.projects.services.transfer.format import KINDS

from .test_records_transfer import build_full_project

# Kinds copied to grow the file; iterations (and what hangs on them alone) stay as they are.
COPIED = {"goal", "barrier", "barrier_rating", "strategy_option", "appraisal", "focus", "task", "success_criterion",
          "review", "judgement", "effort"}


def grown(data, copies):
    """The file with ``copies`` more copies of every row of the ``COPIED`` kinds and of their history,
    the copies pointing at each other (a copied rating rates the copied barrier)."""
    grown = json.loads(json.dumps(data))
    for i in range(copies):
        def ref(value, i=i):
            if isinstance(value, str) and value.rsplit("-", 1)[0] in COPIED:
                return f"{value}c{i}"
            return value
        for kind in COPIED:
            key = KINDS[kind][0]
            grown[key] += [{k: ref(v) for k, v in row.items()} for row in data[key]]
        grown["history"] += [{**h, "ref": ref(h["ref"]), "data": {k: ref(v) for k, v in h["data"].items()}}
                             for h in data["history"] if h["kind"] in COPIED]
    return grown


def _statements(organisation, user, data):
    with CaptureQueriesContext(connection) as captured:
        copy = project_import(organisation=organisation, user=user, data=json.dumps(data)).project
    return len(captured.captured_queries), copy


def test_three_times_the_rows_take_the_same_statements(project, alice, bob, mallory):
    elsewhere = Organisation.objects.get(memberships__user=mallory)
    data = project_export(project=build_full_project(project, alice, bob), user=alice)
    small, large = grown(data, 20), grown(data, 62)
    rows = {key: len(value) for key, value in small.items() if isinstance(value, list)}
    assert sum(len(v) for v in large.values() if isinstance(v, list)) > 2.9 * sum(rows.values())
    n_small, small_copy = _statements(elsewhere, mallory, small)
    n_large, large_copy = _statements(elsewhere, mallory, large)
    # Far from three times as many: the only growth is one more INSERT per table for every further
    # ``imports.BATCH`` rows (each row is written once, and its "imported" history entry once).
    large_rows = sum(len(v) for v in large.values() if isinstance(v, list))
    assert n_small < 100 and n_large < 1.5 * n_small, (n_small, n_large)
    # A statement per row (or per row and foreign key, as before issue 9) would add thousands.
    assert n_large - n_small < (large_rows - sum(rows.values())) / 25, (n_small, n_large)
    # Both imports wrote every row and every history entry.
    for model in (Goal, Barrier, BarrierRating, Appraisal, Task, Judgement):
        scope = {Goal: "project", Barrier: "project", Task: "project", BarrierRating: "barrier__project",
                 Appraisal: "option__project", Judgement: "review__project"}[model]
        assert model.objects.filter(**{scope: large_copy}).count() == 3 * model.objects.filter(
            **{scope: small_copy}).count(), model
    assert Goal.history.filter(project_id=large_copy.pk).count() > 2.9 * Goal.history.filter(
        project_id=small_copy.pk).count()
