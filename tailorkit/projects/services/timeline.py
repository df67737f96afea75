"""The project's record (issue 3, point 7; issue 10): every change from the history tables, and the
project as it was at any moment.

Nothing here writes. The timeline merges the django-simple-history tables of every model of the
cycle, newest first, and shows one entry per person's save (see "The timeline" below). A page
costs a bounded number of queries: one per history table (with the previous version of each row
found by a correlated subquery), one per history table whose earlier versions were not read with
it, and one per kind of object that the entries name (users, items, barriers…). When the rows
first read do not make enough entries, more are read, four times as many each time. How an entry
reads (its sentence, the names it shows) is in ``timeline_wording.py``.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tailorkit.core.models import User
from tailorkit.library.models import Item

from ..models import (
    Appraisal,
    Barrier,
    BarrierRating,
    Decision,
    EffortEntry,
    Focus,
    Goal,
    Iteration,
    Judgement,
    Project,
    Review,
    Specification,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from .timeline_wording import Names, entry_title

PAGE_SIZE = 25
# Higher page numbers are read as this one (and then as the last page): a number such as
# 922337203685477580 would otherwise overflow the database's LIMIT.
MAX_PAGE = 100_000

# Kind → (model, label). The order is the order of the filter list on the page.
KINDS = {
    "project": (Project, gettext_lazy("Project")),
    "goal": (Goal, gettext_lazy("Goal")),
    "barrier": (Barrier, gettext_lazy("Barrier")),
    "rating": (BarrierRating, gettext_lazy("Barrier rating")),
    "iteration": (Iteration, gettext_lazy("Iteration")),
    "focus": (Focus, gettext_lazy("Focus")),
    "option": (StrategyOption, gettext_lazy("Strategy option")),
    "appraisal": (Appraisal, gettext_lazy("Appraisal")),
    "specification": (Specification, gettext_lazy("Specification")),
    "task": (Task, gettext_lazy("Task")),
    "criterion": (SuccessCriterion, gettext_lazy("Success criterion")),
    "review": (Review, gettext_lazy("Review")),
    "judgement": (Judgement, gettext_lazy("Judgement")),
    "decision": (Decision, gettext_lazy("Decision")),
    "effort": (EffortEntry, gettext_lazy("Effort")),
}

# Bookkeeping fields that are not decisions of the team.
NOT_SHOWN = {"organisation", "project", "team", "version", "created_at", "updated_at", "last_activity_at"}


def history_model(model):
    return model.history.model


def history_querysets(project):
    """Kind → queryset of the history rows of this project. Rows without a ``project`` column go
    through their parent's *history* (not the live table), so changes of deleted parents stay."""
    pid, oid = project.pk, project.organisation_id
    H = history_model
    ids = {model: H(model).objects.filter(project_id=pid).values("id")
           for model in (Barrier, Iteration, StrategyOption, Review)}
    by_parent = {
        "rating": ("barrier_id__in", ids[Barrier]), "focus": ("iteration_id__in", ids[Iteration]),
        "appraisal": ("option_id__in", ids[StrategyOption]),
        "specification": ("iteration_id__in", ids[Iteration]), "judgement": ("review_id__in", ids[Review]),
    }
    result = {}
    for kind, (model, _label) in KINDS.items():
        qs = H(model).objects.filter(organisation_id=oid)
        if kind == "project":
            qs = qs.filter(id=pid)
        elif kind in by_parent:
            lookup, sub = by_parent[kind]
            qs = qs.filter(**{lookup: sub})
        else:
            qs = qs.filter(project_id=pid)
        result[kind] = qs
    return result


# --- The timeline ----------------------------------------------------------------------------------
#
# One entry is one person's save. simple-history stores, for every row written, the moment
# (``history_date``, taken as each row is saved, so the rows of one transaction lie within
# milliseconds of each other) and the person (``history_user``, set from the request), but no id
# of the request or transaction. So an entry is a run of consecutive history rows (newest first,
# across all tables) by the same person about the same group of objects (``_group_key``: the
# criteria of one strategy's APEASE appraisal, one person's barrier ratings, the focus of one
# iteration, a review with its judgements, otherwise one object), each within GROUP_WINDOW of
# the run's newest row. Rows whose tracked fields did not change (only BOOKKEEPING fields such
# as ``version``) are left out before the runs are made, so they never show and never split one.

GROUP_WINDOW = timedelta(seconds=5)
BOOKKEEPING = NOT_SHOWN | {"id", "updated_by"}
# Shown by the entry's subject or title rather than as an added value.
NAMING_FIELDS = {"iteration", "review", "option", "barrier", "goal", "item", "criterion", "rated_by", "decided_by",
                 "created_by", "user", "number", "started_at", "decided_at", "kind"}
# Rows first read per history table for each entry wanted; when a page needs more (large saves,
# many hidden rows), four times as many are read, so the number of reads grows with log(rows).
ROWS_PER_ENTRY = 4
IN_CHUNK = 500   # ids per "IN (…)" query: SQLite limits the number of parameters


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class Part:
    """One object touched by a save: its newest history row in the entry and what changed."""
    kind: str
    record: object
    action: str            # "+", "~", "-"
    raw: list              # [(field name, value before, value after)] as stored
    subject: str = ""
    changes: list = field(default_factory=list)


@dataclass
class Entry:
    """One person's save: one or more objects of one group, shown as one sentence."""
    kind: str
    kind_label: str
    when: datetime
    user: object
    parts: list
    title: str = ""
    subject: str = ""
    reason: str = ""

    @property
    def day(self):
        return timezone.localtime(self.when).date()

    @property
    def record(self):
        return self.parts[0].record

    @property
    def action(self):
        return self.parts[0].action if len(self.parts) == 1 else "~"

    @property
    def changes(self):
        return [c for p in self.parts for c in p.changes]

    @property
    def summary(self):
        """The one short change worth showing without opening the details, or None."""
        if len(self.parts) != 1 or self.action != "~" or len(self.changes) != 1:
            return None
        c = self.changes[0]
        return c if len(c.before) <= 60 and len(c.after) <= 60 else None

    @property
    def detail_count(self):
        """The lines of the details: one per changed value, one per object added or removed without values."""
        return sum(max(1, len(p.changes)) for p in self.parts)

    @property
    def has_details(self):
        return self.summary is None and (len(self.parts) > 1 or bool(self.changes))


@dataclass
class TimelinePage:
    entries: list
    number: int
    has_next: bool
    has_previous: bool

    @property
    def days(self):
        """[(date, [entries])], newest day first, for the day headings."""
        days = []
        for e in self.entries:
            if not days or days[-1][0] != e.day:
                days.append((e.day, []))
            days[-1][1].append(e)
        return days


def iteration_window(project, number):
    """(start, end) of the time an iteration was the current one; end is None for the latest."""
    iterations = list(Iteration.objects.filter(project=project).order_by("number").values("number", "started_at"))
    for i, it in enumerate(iterations):
        if it["number"] == number:
            end = iterations[i + 1]["started_at"] if i + 1 < len(iterations) else None
            return it["started_at"], end
    return None


class _Table:
    """The rows of one history table read so far, newest first."""

    def __init__(self, kind, qs):
        self.kind, self.qs, self.rows, self.exhausted = kind, qs, [], False

    def read(self, limit):
        if not self.exhausted and len(self.rows) < limit:
            self.rows.extend(self.qs[len(self.rows):limit])
            self.exhausted = len(self.rows) < limit


def _key(row):
    return row.history_date, row.history_id


def _group_key(kind, r):
    if kind == "appraisal":
        return "appraisal", r.option_id
    if kind == "rating":
        return "rating", r.rated_by_id
    if kind == "focus":
        return "focus", r.iteration_id
    if kind == "judgement":
        return "review", r.review_id
    if kind == "review":
        return "review", r.id
    return kind, r.id


def _shown_fields(kind):
    H = history_model(KINDS[kind][0])
    return [f for f in H.tracked_fields if f.name not in BOOKKEEPING]


def _raw_changes(kind, r, old):
    """[(field, before, after)] of a history row; None for an edit whose earlier version is unknown."""
    if r.history_type == "+":
        return _added_values(kind, r)
    if r.history_type == "-":
        return []
    if old is None:
        return None
    return [(f.name, getattr(old, f.attname), getattr(r, f.attname)) for f in _shown_fields(kind)
            if getattr(old, f.attname) != getattr(r, f.attname)]


def _added_values(kind, r):
    """The values an added object was given, as changes from nothing (names shown elsewhere left out)."""
    return [(f.name, None, getattr(r, f.attname)) for f in _shown_fields(kind)
            if f.name not in NAMING_FIELDS and getattr(r, f.attname) not in (None, "")]


def _load_previous(tables, rows, previous):
    """Fill ``previous`` ((kind, history_id) → row) for the edits in ``rows``: from the rows read
    already where possible, otherwise one query per history table (per IN_CHUNK ids)."""
    read = {(t.kind, r.history_id): r for t in tables for r in t.rows}
    missing = {}
    for k, r in rows:
        if r.history_type == "~" and r.previous_id and (k, r.previous_id) not in previous:
            found = read.get((k, r.previous_id))
            if found is not None:
                previous[(k, r.previous_id)] = found
            else:
                missing.setdefault(k, set()).add(r.previous_id)
    for k, ids in missing.items():
        H = history_model(KINDS[k][0])
        ids = sorted(ids)
        for i in range(0, len(ids), IN_CHUNK):
            previous.update({(k, p.history_id): p for p in H.objects.filter(history_id__in=ids[i:i + IN_CHUNK])})


def _runs(rows, raw):
    """The runs of rows that make one entry each (see the comment at the top of this section)."""
    runs, current_key, current_when = [], None, None
    for k, r in rows:
        if r.history_type == "~" and raw[(k, r.history_id)] == []:
            continue   # a save that changed nothing the timeline shows
        key = (r.history_user_id, _group_key(k, r))
        if runs and key == current_key and current_when - r.history_date <= GROUP_WINDOW:
            runs[-1].append((k, r))
        else:
            runs.append([(k, r)])
            current_key, current_when = key, r.history_date
    return runs


def timeline_page(project, *, page=1, kind=None, window=None, page_size=PAGE_SIZE):
    """One page of ``page_size`` entries of the project's timeline, newest first. A page past
    the end shows the last page."""
    page = min(max(1, int(page)), MAX_PAGE)
    querysets = history_querysets(project)
    if kind in querysets:
        querysets = {kind: querysets[kind]}
    tables = []
    for k, qs in querysets.items():
        H = qs.model
        before = H.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
            "-history_date", "-history_id").values("history_id")[:1]
        if window:
            start, end = window
            qs = qs.filter(history_date__gte=start)
            if end:
                qs = qs.filter(history_date__lt=end)
        tables.append(_Table(k, qs.select_related("history_user").annotate(previous_id=Subquery(before))
                             .order_by("-history_date", "-history_id")))

    want = page * page_size + 1        # entries, so that we know whether there is a next page
    limit = want * ROWS_PER_ENTRY
    previous, raw = {}, {}
    while True:
        for t in tables:
            t.read(limit)
        rows = sorted(((t.kind, r) for t in tables for r in t.rows), key=lambda kr: _key(kr[1]), reverse=True)
        complete = all(t.exhausted for t in tables)
        if not complete:
            # Only rows newer than the oldest row read from every table that has more are in order.
            horizon = max(_key(t.rows[-1]) for t in tables if not t.exhausted)
            rows = [(k, r) for k, r in rows if _key(r) >= horizon]
        _load_previous(tables, rows, previous)
        for k, r in rows:
            if (k, r.history_id) not in raw:
                raw[(k, r.history_id)] = _raw_changes(k, r, previous.get((k, r.previous_id)))
        runs = _runs(rows, raw)
        if not complete:
            runs = runs[:-1]   # the oldest run may go on in rows not read yet
        if complete or len(runs) >= want:
            break
        limit *= ROWS_PER_ENTRY

    start = (page - 1) * page_size
    if page > 1 and len(runs) <= start:
        # Past the end: every row was read (fewer runs than wanted), so the last page is known.
        page = max(1, -(-len(runs) // page_size))
        start = (page - 1) * page_size
    entries = _entries(runs[start:start + page_size], raw)
    return TimelinePage(entries=entries, number=page, has_next=len(runs) > start + page_size,
                        has_previous=page > 1)


def _merge(kind, rows, raw):
    """One object's rows in a run (newest first) → Part, or None if the changes cancel out."""
    newest, oldest = rows[0], rows[-1]
    if newest.history_type == "-":
        return Part(kind, newest, "-", [])
    if oldest.history_type == "+":
        return Part(kind, newest, "+", _added_values(kind, newest))
    merged = {}
    unknown = False
    for r in reversed(rows):
        changes = raw[(kind, r.history_id)]
        if changes is None:
            unknown = True
            continue
        for name, before, after in changes:
            if name in merged:
                merged[name][1] = after
            else:
                merged[name] = [before, after]
    changes = [(name, b, a) for name, (b, a) in merged.items() if b != a]
    if not changes and not unknown:
        return None
    return Part(kind, newest, "~", changes)


def _entries(runs, raw):
    names = Names()
    entries = []
    for run in runs:
        by_object = {}
        for k, r in run:
            by_object.setdefault((k, r.id), []).append(r)
        parts = [p for (k, _id), rows in reversed(by_object.items()) if (p := _merge(k, rows, raw)) is not None]
        if not parts:
            continue   # changed and changed back within one save
        k, newest = run[0]
        k = _group_key(k, newest)[0]   # a review with its judgements is a review
        reasons = []
        for _k, r in run:
            if r.history_change_reason and r.history_change_reason not in reasons:
                reasons.append(r.history_change_reason)
        entry = Entry(kind=k, kind_label=KINDS[k][1], when=newest.history_date, user=newest.history_user,
                      parts=parts, reason="; ".join(reasons))
        for p in parts:
            names.want_subject(p.kind, p.record)
            for name, before, after in p.raw:
                names.want_value(name, before)
                names.want_value(name, after)
        entries.append(entry)
    names.load()
    for e in entries:
        for p in e.parts:
            H = history_model(KINDS[p.kind][0])
            p.subject = names.part_subject(p.kind, p.record)
            p.changes = [Change(name, str(H._meta.get_field(name).verbose_name), names.show(H, name, before),
                                names.show(H, name, after)) for name, before, after in p.raw]
        e.title, e.subject = entry_title(e, names)
    return entries


# --- The project as it was -------------------------------------------------------------------------


@dataclass
class Snapshot:
    when: datetime
    project: object
    goals: list
    barriers: list          # each with .ratings_then (list) and .display_name
    iterations: list        # each with .focus_goals, .focus_barriers, .chosen, .spec, .tasks_then…


def project_as_of(project, when):
    """The project's state at ``when`` (a timezone-aware datetime), or None if it did not exist yet.
    Each model is read with ``history.as_of(when)`` and filtered to this project; a fixed number
    of queries whatever the size of the project."""
    pid, oid = project.pk, project.organisation_id
    then = Project.history.as_of(when).filter(id=pid).first()
    if then is None:
        return None

    def as_of(model, **filters):
        return list(model.history.as_of(when).filter(organisation_id=oid, **filters))

    goals = sorted(as_of(Goal, project_id=pid), key=lambda o: (o.created_at, o.pk))
    barriers = sorted(as_of(Barrier, project_id=pid), key=lambda o: (o.created_at, o.pk))
    barrier_ids = [b.pk for b in barriers]
    ratings = as_of(BarrierRating, barrier_id__in=barrier_ids)
    iterations = sorted(as_of(Iteration, project_id=pid), key=lambda o: o.number)
    iteration_ids = [i.pk for i in iterations]
    focus = as_of(Focus, iteration_id__in=iteration_ids)
    options = as_of(StrategyOption, project_id=pid)
    specs = as_of(Specification, iteration_id__in=iteration_ids)
    tasks = sorted(as_of(Task, project_id=pid), key=lambda t: (t.due_date is None, t.due_date, t.pk))
    criteria = sorted(as_of(SuccessCriterion, project_id=pid), key=lambda c: c.pk)
    reviews = sorted(as_of(Review, project_id=pid), key=lambda r: (r.review_date, r.pk))
    judgements = as_of(Judgement, review_id__in=[r.pk for r in reviews])
    decisions = sorted(as_of(Decision, project_id=pid), key=lambda d: (d.decided_at, d.pk))

    item_ids = {o.item_id for o in barriers + options if o.item_id}
    items = {i.pk: i.name for i in Item.objects.filter(pk__in=item_ids)}
    user_ids = {r.rated_by_id for r in ratings} | {t.owner_id for t in tasks if t.owner_id}
    users = {u.pk: (u.name or u.email) for u in User.objects.filter(pk__in=user_ids)}
    for o in barriers + options:
        o.display_name = items.get(o.item_id, "") if o.item_id else o.custom_name
    by_barrier = {b.pk: b for b in barriers}
    for b in barriers:
        b.ratings_then = []
    for r in ratings:
        if r.barrier_id in by_barrier:
            r.rater_name = users.get(r.rated_by_id, "")
            by_barrier[r.barrier_id].ratings_then.append(r)
    goal_by_id = {g.pk: g for g in goals}
    option_by_id = {o.pk: o for o in options}
    criterion_by_id = {c.pk: c for c in criteria}
    for j in judgements:
        j.criterion_then = criterion_by_id.get(j.criterion_id)
    for t in tasks:
        t.owner_name = users.get(t.owner_id, "")
    for it in iterations:
        it.focus_goals = [goal_by_id[f.goal_id] for f in focus if f.iteration_id == it.pk and f.goal_id in goal_by_id]
        it.focus_barriers = [by_barrier[f.barrier_id] for f in focus
                             if f.iteration_id == it.pk and f.barrier_id in by_barrier]
        it.chosen = option_by_id.get(it.chosen_option_id)
        it.spec = next((s for s in specs if s.iteration_id == it.pk), None)
        it.tasks_then = [t for t in tasks if t.iteration_id == it.pk]
        it.criteria_then = [c for c in criteria if c.iteration_id == it.pk]
        it.reviews_then = [r for r in reviews if r.iteration_id == it.pk]
        for r in it.reviews_then:
            r.judgements_then = [j for j in judgements if j.review_id == r.pk]
        it.decisions_then = [d for d in decisions if d.iteration_id == it.pk]
    return Snapshot(when=when, project=then, goals=goals, barriers=barriers, iterations=iterations)
