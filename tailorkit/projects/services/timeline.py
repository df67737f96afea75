"""The project's record (issue 3, point 7; issue 10; issue 11): every change from the history tables,
and the project as it was at any moment.

Nothing here writes. The timeline merges the django-simple-history tables of every model of the
cycle, newest first, and shows one entry per person's save (see "The timeline" below). A page is
found by a cursor (the moment and id of its first history row), so reading it costs the same at
any depth: one query per history table for the rows from the cursor on, one per table for the
earlier versions of the objects whose earlier version is not among those rows (only the oldest row
of each object read needs one; an index seek each, see ``core.history``), and one for the names of
everything the entries name (users, items, barriers…, whatever their kinds). When the rows first
read do not make enough entries, more are read, four times as many each time. How an entry reads
(its sentence, the names it shows) is in ``timeline_wording.py``.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy

from tailorkit.core.models import User
from tailorkit.library.models import Item

from ..models import (
    Appraisal,
    Barrier,
    BarrierRating,
    Decision,
    EffortEntry,
    EngagementChange,
    EngagementPlan,
    EngagementRecord,
    Focus,
    Goal,
    Iteration,
    Judgement,
    Project,
    Review,
    Specification,
    StakeholderGroup,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from . import timeline_engagement as engagement
from .timeline_wording import Change, Entry, Names, Part, entry_title, field_label

PAGE_SIZE = 25
# Higher page numbers (of the old ``?page=N`` links, still served) are read as this one (and then
# as the last page): a number such as 922337203685477580 would otherwise overflow the database's LIMIT.
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
    # Stakeholder engagement (issue 17), after the others so that earlier cursors keep their meaning.
    # Named people (StakeholderPerson) keep no history and never appear here.
    "stakeholder_group": (StakeholderGroup, gettext_lazy("Stakeholder group")),
    "engagement_plan": (EngagementPlan, gettext_lazy("Engagement plan")),
    "engagement_record": (EngagementRecord, gettext_lazy("Record of engagement")),
    "engagement_change": (EngagementChange, gettext_lazy("Change because of an engagement")),
}

# Bookkeeping fields that are not decisions of the team.
NOT_SHOWN = {"organisation", "project", "team", "version", "created_at", "updated_at", "last_activity_at"}


@cache
def history_model(model):
    # Cached: ``Model.history`` builds a new manager class on every access (~0.5 ms; docs/performance.md).
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
                 "created_by", "user", "number", "started_at", "decided_at", "kind",
                 "group", "record", "object_id", "label", "what"}
# Rows first read per history table for each entry wanted; when a page needs more (large saves,
# many hidden rows), four times as many are read, so the number of reads grows with log(rows).
ROWS_PER_ENTRY = 4
IN_CHUNK = 500   # ids per "IN (…)" query: SQLite limits the number of parameters


@dataclass
class TimelinePage:
    entries: list
    number: int | None     # for the first page and the old ``?page=N`` links; None on a cursor's page
    has_next: bool
    has_previous: bool
    older: str = ""        # cursor of the next page's first row ("Older")
    newer: str = ""        # cursor of this page's first row: the "Newer" page is the one above it

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
    """(start, end) of the time an iteration was the current one; end is None for the latest; None
    if the project has no iteration of that number. Reads that iteration and the next only."""
    its = list(Iteration.objects.filter(project=project, number__gte=number).order_by("number")
               .values_list("number", "started_at")[:2])
    if not its or its[0][0] != number:
        return None
    return its[0][1], (its[1][1] if len(its) > 1 else None)


# --- Where a row stands in the timeline, and cursors -----------------------------------------------
#
# The timeline is ordered by (history_date, history_id) newest first, and rows of two tables with the
# same moment and id by the order of KINDS. ``_key`` makes that a total order (larger is newer), so
# a cursor names one row exactly and "rows from the cursor on" is a range query on history_date.

RANK = {kind: i for i, kind in enumerate(KINDS)}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def _key(kind, row):
    return row.history_date, row.history_id, -RANK[kind]


def cursor_of(kind, row):
    """A row's place as a short text for a link: microseconds since 1970, kind, history id."""
    return f"{(row.history_date - EPOCH) // MICROSECOND}.{kind}.{row.history_id}"


def parse_cursor(text):
    """The ``_key`` a cursor names, or None for anything that is not one."""
    try:
        micros, kind, history_id = str(text or "")[:60].split(".")
        return EPOCH + int(micros) * MICROSECOND, int(history_id), -RANK[kind]
    except (ValueError, KeyError, OverflowError):
        return None


def _from(qs, kind, cursor, older):
    """The rows of ``qs`` at or after ``cursor`` in the timeline (as old or older), or if not
    ``older``, the rows before it (newer). Written as a range on history_date, which is indexed."""
    when, history_id, rank = cursor
    if older:
        qs = qs.filter(history_date__lte=when).exclude(history_date=when, history_id__gt=history_id)
    else:
        qs = qs.filter(history_date__gte=when).exclude(history_date=when, history_id__lt=history_id)
    return qs.exclude(history_date=when, history_id=history_id) if (-RANK[kind] > rank) == older else qs


class _Table:
    """The rows of one history table read so far, newest first (or oldest first for the rows above
    a cursor)."""

    def __init__(self, kind, qs, newest_first=True):
        order = ("-history_date", "-history_id") if newest_first else ("history_date", "history_id")
        self.kind, self.qs, self.newest_first = kind, qs.select_related("history_user").order_by(*order), newest_first
        self.rows, self.exhausted = [], False

    def read(self, limit):
        if not self.exhausted and len(self.rows) < limit:
            self.rows.extend(self.qs[len(self.rows):limit])
            self.exhausted = len(self.rows) < limit


# The group of objects one save may touch together (kind → group, column); any other kind: one object.
GROUPS = {"appraisal": ("appraisal", "option_id"), "rating": ("rating", "rated_by_id"),
          "focus": ("focus", "iteration_id"), "judgement": ("review", "review_id"), "review": ("review", "id"),
          # A record of engagement with the changes it led to, saved with it.
          "engagement_change": ("engagement_record", "record_id"), "engagement_record": ("engagement_record", "id")}


def _group_key(kind, r):
    group, attname = GROUPS.get(kind, (kind, "id"))
    return group, getattr(r, attname)


@cache
def _shown_fields(kind):
    H = history_model(KINDS[kind][0])
    return [f for f in H.tracked_fields if f.name not in BOOKKEEPING]


def _raw_changes(kind, r, old, raw):
    """[(field, before, after)] of a history row; None for an edit whose earlier version is unknown."""
    if r.history_type == "+":
        return _added_values(kind, r, raw)
    if r.history_type == "-":
        return []
    if old is None:
        return None
    return [(f.name, getattr(old, f.attname), getattr(r, f.attname)) for f in _shown_fields(kind)
            if getattr(old, f.attname) != getattr(r, f.attname)] + engagement.m2m_changes(kind, r, old, raw)


def _added_values(kind, r, raw):
    """The values an added object was given, as changes from nothing (names shown elsewhere left out)."""
    return [(f.name, None, getattr(r, f.attname)) for f in _shown_fields(kind)
            if f.name not in NAMING_FIELDS and getattr(r, f.attname) not in (None, "")
            ] + engagement.m2m_changes(kind, r, None, raw)


def _fill_raw(tables, raw):
    """Fill ``raw`` ((kind, history_id) → changes) for every row read. An edit's earlier version is
    the next older row of the same object among the rows read from its table (a table's rows read
    are consecutive in time, and all versions of an object are in the same table's query), so only
    the oldest row read of each object may need a query: one per table (per IN_CHUNK rows), a
    "latest earlier version" subquery for those rows only, not for every row read."""
    for t in tables:
        previous, older = {}, {}
        for r in (reversed(t.rows) if t.newest_first else t.rows):   # oldest first
            previous[r.history_id], older[r.id] = older.get(r.id), r
        new = [r for r in t.rows if (t.kind, r.history_id) not in raw]
        missing = [r for r in new if r.history_type == "~" and previous[r.history_id] is None]
        H = t.qs.model
        # "history_date <= its date" first, as a range the index on (id, history_date, history_id)
        # can seek (``core.history``); the OR alone would make PostgreSQL read every version of the
        # object and sort them.
        before = H.objects.filter(id=OuterRef("id"), history_date__lte=OuterRef("history_date")).filter(
            Q(history_date__lt=OuterRef("history_date")) | Q(history_id__lt=OuterRef("history_id"))
        ).order_by("-history_date", "-history_id").values("history_id")[:1]
        for i in range(0, len(missing), IN_CHUNK):
            chunk = missing[i:i + IN_CHUNK]   # one row per object, so the earlier versions are one per object
            wanted = H.objects.filter(history_id__in=[r.history_id for r in chunk]).order_by().annotate(
                p=Subquery(before))
            found = {p.id: p for p in H.objects.filter(history_id__in=Subquery(wanted.values("p")))}
            previous.update({r.history_id: found.get(r.id) for r in chunk})
        engagement.read_m2m(t.kind, new, previous, raw)   # a record's groups: one query for these rows
        for r in new:
            raw[(t.kind, r.history_id)] = _raw_changes(t.kind, r, previous[r.history_id], raw)


def _hidden(k, r, raw):
    return r.history_type == "~" and raw[(k, r.history_id)] == []   # a save that changed nothing shown


def _runs(rows, raw):
    """The runs of rows that make one entry each (see the comment at the top of this section)."""
    runs, current_key, current_when = [], None, None
    for k, r in rows:
        if _hidden(k, r, raw):
            continue
        key = (r.history_user_id, _group_key(k, r))
        if runs and key == current_key and current_when - r.history_date <= GROUP_WINDOW:
            runs[-1].append((k, r))
        else:
            runs.append([(k, r)])
            current_key, current_when = key, r.history_date
    return runs


def _tables(project, kind, window, *, until=None, after=None):
    querysets = history_querysets(project)
    if kind in querysets:
        querysets = {kind: querysets[kind]}
    tables = []
    for k, qs in querysets.items():
        if window:
            start, end = window
            qs = qs.filter(history_date__gte=start)
            if end:
                qs = qs.filter(history_date__lt=end)
        if until or after:
            qs = _from(qs, k, until or after, older=after is None)
        tables.append(_Table(k, qs, newest_first=after is None))
    return tables


def _read(tables, limit, raw):
    """Read up to ``limit`` rows of each table; → (rows in timeline order, read in the direction of
    the tables, that are known to be in order; whether every table was read to its end)."""
    for t in tables:
        t.read(limit)
    newest_first = tables[0].newest_first if tables else True
    rows = sorted(((t.kind, r) for t in tables for r in t.rows), key=lambda kr: _key(*kr), reverse=newest_first)
    complete = all(t.exhausted for t in tables)
    if not complete:
        # Only rows up to the last row read from every table that has more are in order.
        ends = [_key(t.kind, t.rows[-1]) for t in tables if not t.exhausted]
        if newest_first:
            rows = [(k, r) for k, r in rows if _key(k, r) >= max(ends)]
        else:
            rows = [(k, r) for k, r in rows if _key(k, r) <= min(ends)]
    _fill_raw(tables, raw)
    return rows, complete


def _read_runs(tables, want):
    """At least ``want`` runs from the top of ``tables`` (newest first), or all there are."""
    limit, raw = want * ROWS_PER_ENTRY, {}
    while True:
        rows, complete = _read(tables, limit, raw)
        runs = _runs(rows, raw)
        if not complete:
            runs = runs[:-1]   # the oldest run may go on in rows not read yet
        if complete or len(runs) >= want:
            return runs, raw
        limit *= ROWS_PER_ENTRY


def _must_split(newer, older):
    """Whether two consecutive visible rows are in different runs, wherever their runs began."""
    (kn, n), (ko, o) = newer, older
    return ((n.history_user_id, _group_key(kn, n)) != (o.history_user_id, _group_key(ko, o))
            or n.history_date - o.history_date > GROUP_WINDOW)


def _page_above(tables, page_size):
    """The cursor of the first row of the ``page_size`` entries just above a cursor (``tables``
    read oldest first from it), or None if fewer are there (then the page above is the first).

    Runs are made from the newest row down, so the runs above a cursor are found from a row where a
    run must begin whatever came before: the newest of all, or a visible row whose newer visible
    neighbour is another person's or group's save, or more than GROUP_WINDOW newer."""
    limit, raw = (page_size + 1) * ROWS_PER_ENTRY, {}
    while True:
        rows, complete = _read(tables, limit, raw)
        rows.reverse()   # newest first
        visible = [i for i, (k, r) in enumerate(rows) if not _hidden(k, r, raw)]
        start = 0 if complete else next((older for newer, older in zip(visible, visible[1:], strict=False)
                                          if _must_split(rows[newer], rows[older])), None)
        if start is not None:
            runs = _runs(rows[start:], raw)
            if len(runs) > page_size or (len(runs) == page_size and not complete):
                return _key(*runs[-page_size][0])
            if complete:
                return None
        limit *= ROWS_PER_ENTRY


def timeline_page(project, *, page=1, kind=None, window=None, page_size=PAGE_SIZE, at=None, newer_than=None):
    """One page of ``page_size`` entries of the project's timeline, newest first: the page that
    begins at the cursor ``at``, or the page just above the cursor ``newer_than``, or else page
    number ``page`` (the old links; the pages before it are read too). A page past the end shows
    the last page."""
    if newer_than is not None:
        at = _page_above(_tables(project, kind, window, after=newer_than), page_size)
        page = 1
    if at is not None:
        runs, raw = _read_runs(_tables(project, kind, window, until=at), page_size + 1)
        if not runs and newer_than is None:   # nothing from the cursor on (rows removed?): the last page
            return timeline_page(project, kind=kind, window=window, page_size=page_size, newer_than=at)
        start, number = 0, None
    else:
        page = min(max(1, int(page)), MAX_PAGE)
        runs, raw = _read_runs(_tables(project, kind, window), page * page_size + 1)
        start = (page - 1) * page_size
        if page > 1 and len(runs) <= start:
            # Past the end: every row was read (fewer runs than wanted), so the last page is known.
            page = max(1, -(-len(runs) // page_size))
            start = (page - 1) * page_size
        number = page
    shown = runs[start:start + page_size]
    has_next = len(runs) > start + page_size
    return TimelinePage(entries=_entries(project, shown, raw), number=number, has_next=has_next,
                        has_previous=number is None or number > 1,
                        older=cursor_of(*runs[start + page_size][0]) if has_next else "",
                        newer=cursor_of(*shown[0][0]) if shown else "")


def _merge(kind, rows, raw):
    """One object's rows in a run (newest first) → Part, or None if the changes cancel out."""
    newest, oldest = rows[0], rows[-1]
    if newest.history_type == "-":
        return Part(kind, newest, "-", [])
    if oldest.history_type == "+":
        return Part(kind, newest, "+", _added_values(kind, newest, raw))
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


def _entries(project, runs, raw):
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
            p.changes = [Change(name, field_label(H, name), names.show(H, name, before),
                                names.show(H, name, after)) for name, before, after in p.raw]
        e.title, e.subject = entry_title(e, names)
    engagement.causes_and_effects(project, entries, names)   # one query for the page
    return entries


# --- The project as it was -------------------------------------------------------------------------


@dataclass
class Snapshot:
    when: datetime
    project: object
    goals: list
    barriers: list          # each with .ratings_then (list) and .display_name
    iterations: list        # each with .focus_goals, .focus_barriers, .chosen, .spec, .tasks_then…


def _as_of(model, when, **filters):
    """The objects of ``model`` (matching ``filters``) as they were at ``when``: the latest version
    of each at or before it, unless that version is a deletion. The objects are found by the row of
    their creation (simple-history writes a "+" row for every object, the first of its versions),
    picked from the project's rows by a filter (no sort), and the version of each at ``when`` by one
    seek in the index on (id, history_date, history_id) of every history table (``core.history``),
    so an object's number of versions does not count. (simple-history's ``as_of`` asks, for every
    version, whether a later one exists: a cost that grows with the square of an object's versions;
    numbering every version with a window function sorted them all.) The filters apply to the
    creation rows, so they must name columns that do not change over an object's life (its project,
    organisation, parent), and they are applied to the rows read as well: without them, PostgreSQL,
    not foreseeing how few ids the subquery gives, read the whole table (43 ms for the focus of the
    project with 1,000 iterations on the large dataset, against 5)."""
    H = history_model(model)
    then = H.objects.filter(id=OuterRef("id"), history_date__lte=when).order_by(
        "-history_date", "-history_id").values("history_id")[:1]
    created = H.objects.filter(history_type="+", history_date__lte=when, **filters).order_by().values(
        then=Subquery(then))
    rows = H.objects.filter(history_id__in=created, **filters).exclude(history_type="-").order_by(
        "-history_date", "-history_id")
    return [r.instance for r in rows]


def _by(objects, attname):
    """{value of ``attname``: [objects]} in the objects' order: one pass, whatever the number of groups."""
    groups = {}
    for o in objects:
        groups.setdefault(getattr(o, attname), []).append(o)
    return groups


def project_as_of(project, when):
    """The project's state at ``when`` (a timezone-aware datetime), or None if it did not exist yet.
    One query per model whatever the number of versions, and a time linear in the number of objects."""
    pid, oid = project.pk, project.organisation_id
    then = next(iter(_as_of(Project, when, id=pid)), None)
    if then is None:
        return None

    def as_of(model, **filters):
        return _as_of(model, when, organisation_id=oid, **filters)

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
    judgements_of = _by(judgements, "review_id")
    for r in reviews:
        r.judgements_then = judgements_of.get(r.pk, [])
    focus_of, spec_of, tasks_of = _by(focus, "iteration_id"), _by(specs, "iteration_id"), _by(tasks, "iteration_id")
    criteria_of, reviews_of = _by(criteria, "iteration_id"), _by(reviews, "iteration_id")
    decisions_of = _by(decisions, "iteration_id")
    for it in iterations:
        its_focus = focus_of.get(it.pk, [])
        it.focus_goals = [goal_by_id[f.goal_id] for f in its_focus if f.goal_id in goal_by_id]
        it.focus_barriers = [by_barrier[f.barrier_id] for f in its_focus if f.barrier_id in by_barrier]
        it.chosen = option_by_id.get(it.chosen_option_id)
        it.spec = spec_of.get(it.pk, [None])[0]
        it.tasks_then, it.criteria_then = tasks_of.get(it.pk, []), criteria_of.get(it.pk, [])
        it.reviews_then, it.decisions_then = reviews_of.get(it.pk, []), decisions_of.get(it.pk, [])
    return Snapshot(when=when, project=then, goals=goals, barriers=barriers, iterations=iterations)
