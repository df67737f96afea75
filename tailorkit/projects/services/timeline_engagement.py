"""Stakeholder engagement in the timeline (issue 17; the timeline itself is ``timeline.py``).

Two things that the history rows of one table do not say by themselves:

- The groups a record of engagement reached. They are a many-to-many field, whose versions
  simple-history keeps in a table of its own (one row per group and version of the record). They are
  read for the record rows of a page in one query (``read_m2m``) and shown as a value like any other
  ("groups reached: Clinicians, GPs"), so that ticking one more group shows as an edit.
- Cause and effect. An ``EngagementChange`` says that the team added, re-rated, adapted or dropped a
  goal, barrier, strategy, task or success criterion because of a record. A record's entry names what
  it led to, and the entry in which that change was made says after which record it came, with a link
  to it. One query for the whole page (``causes_and_effects``), whatever its entries.

Named people (``StakeholderPerson``) keep no history and never appear in the timeline.
"""

from functools import cache, reduce
from operator import or_

from django.apps import apps
from django.db.models import Q

from ..models import EngagementChange, EngagementRecord
from .timeline_wording import change_label, record_label

# The timeline kind whose rows have a many-to-many field, the field, and the column of the other side.
M2M_KIND, M2M_FIELD, M2M_COLUMN = "engagement_record", "groups", "stakeholdergroup_id"
IN_CHUNK = 500   # ids per "IN (…)" query: SQLite limits the number of parameters

What = EngagementChange.What
# The changes of a record that a part of an entry may be, by the part's action.
BY_ACTION = {"+": {What.ADDED}, "-": {What.DROPPED}, "~": {What.ADAPTED, What.RERATED}}


@cache
def _m2m_history_model():
    return apps.get_model("projects", f"Historical{EngagementRecord.__name__}_{M2M_FIELD}")


def read_m2m(kind, rows, previous, raw):
    """Put the groups of every record row of ``rows``, and of its earlier version (``previous``: history
    id → row or None), into ``raw`` under ``(M2M_FIELD, history id)``, as a sorted tuple of ids."""
    if kind != M2M_KIND or not rows:
        return
    wanted = {r.history_id for r in rows} | {p.history_id for r in rows if (p := previous[r.history_id]) is not None}
    wanted = sorted(h for h in wanted if (M2M_FIELD, h) not in raw)
    found = {h: [] for h in wanted}
    for i in range(0, len(wanted), IN_CHUNK):
        rows_of = _m2m_history_model().objects.filter(history_id__in=wanted[i:i + IN_CHUNK])
        for history_id, pk in rows_of.values_list("history_id", M2M_COLUMN):
            found[history_id].append(pk)
    for history_id, ids in found.items():
        raw[(M2M_FIELD, history_id)] = tuple(sorted(ids))


def m2m_changes(kind, r, old, raw):
    """``[(field, before, after)]`` of the many-to-many values of a row: from nothing when ``old`` is
    None (an object added), else from ``old``; empty when they did not change."""
    if kind != M2M_KIND:
        return []
    after = raw.get((M2M_FIELD, r.history_id), ())
    if old is None:
        return [(M2M_FIELD, None, after)] if after else []
    before = raw.get((M2M_FIELD, old.history_id), ())
    return [(M2M_FIELD, before, after)] if before != after else []


def _effects(part):
    """``[(change kind, object id, {what})]``: the changes of a record that this part of an entry may be."""
    kind, r, action = part.kind, part.record, part.action
    if kind in EngagementChange.Kind.values:   # goal, barrier, option, task, criterion: the timeline's kinds
        return [(kind, r.id, BY_ACTION[action])]
    if kind == "rating" and action != "-":
        return [(EngagementChange.Kind.BARRIER, r.barrier_id, {What.RERATED})]
    if kind == "appraisal" and action != "-":
        return [(EngagementChange.Kind.OPTION, r.option_id, {What.RERATED})]
    return []


def causes_and_effects(project, entries, names):
    """Fill the entries' ``after`` (the records that a change of theirs came after, as the team noted
    it), ``led_to`` (for a record's entry: what the team changed because of it) and ``record_id`` (the
    record, while it exists: ``names`` looked it up with the page's other names). One query.

    A change is shown on the entry that carries it out: "added" on the object's creation, "dropped" on
    its removal, "adapted" and "re-rated" on its edits (and re-rated on the ratings of a barrier or the
    APEASE ratings of a strategy), from the record's date on, so that "after" is always true."""
    records, objects = set(), {}
    for e in entries:
        for p in e.parts:
            if p.kind == M2M_KIND and p.action != "-":
                records.add(p.record.id)
            for kind, pk, _whats in _effects(p):
                objects.setdefault(kind, set()).add(pk)
        if e.kind == M2M_KIND:
            record = next((p for p in e.parts if p.kind == M2M_KIND), None)
            pk = record.record.id if record is not None else e.parts[0].record.record_id
            e.record_id = pk if names.exists(EngagementRecord, pk) else None
    conditions = [Q(kind=kind, object_id__in=sorted(ids)) for kind, ids in objects.items()]
    if records:
        conditions.append(Q(record_id__in=sorted(records)))
    if not conditions:
        return
    changes = (EngagementChange.objects.filter(project=project).filter(reduce(or_, conditions))
               .select_related("record").only("kind", "object_id", "label", "what", "record__date",
                                              "record__approach").order_by("pk"))
    by_object, by_record = {}, {}
    for c in changes:
        by_object.setdefault((c.kind, c.object_id), []).append(c)
        by_record.setdefault(c.record_id, []).append(c)
    for e in entries:
        after = {}
        for p in e.parts:
            if p.kind == M2M_KIND and p.action != "-":
                e.led_to = [change_label(c.kind, c.label, c.what) for c in by_record.get(p.record.id, ())]
            for kind, pk, whats in _effects(p):
                for c in by_object.get((kind, pk), ()):
                    if c.what in whats and e.day >= c.record.date:
                        after.setdefault(c.record_id, c.record)
        e.after = [(r.pk, record_label(r.approach, r.date))
                   for r in sorted(after.values(), key=lambda r: (r.date, r.pk))]
