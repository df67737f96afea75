"""The project's record (issue 3, point 7): every change from the history tables, and the project
as it was at any moment.

Nothing here writes. The timeline merges the django-simple-history tables of every model of the
cycle, newest first. Each page costs a fixed number of queries: one per history table (with the
previous version of each row found by a correlated subquery), one per history table that has
changes on the page (to fetch those previous versions for ``diff_against``), and one per kind of
object that the entries name (users, items, barriers…), whatever the number of changes.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Subquery
from django.utils.text import Truncator
from django.utils.translation import gettext as _
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


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class Entry:
    kind: str
    kind_label: str
    record: object
    when: datetime
    user: object
    action: str            # "+", "~", "-"
    title: str = ""
    subject: str = ""
    changes: list = field(default_factory=list)
    reason: str = ""


@dataclass
class TimelinePage:
    entries: list
    number: int
    has_next: bool
    has_previous: bool


def iteration_window(project, number):
    """(start, end) of the time an iteration was the current one; end is None for the latest."""
    iterations = list(Iteration.objects.filter(project=project).order_by("number").values("number", "started_at"))
    for i, it in enumerate(iterations):
        if it["number"] == number:
            end = iterations[i + 1]["started_at"] if i + 1 < len(iterations) else None
            return it["started_at"], end
    return None


def timeline_page(project, *, page=1, kind=None, window=None, page_size=PAGE_SIZE):
    """One page of the project's timeline, newest first. A page past the end shows the last page."""
    page = min(max(1, int(page)), MAX_PAGE)
    querysets = history_querysets(project)
    if kind in querysets:
        querysets = {kind: querysets[kind]}
    need = page * page_size + 1
    rows = []
    for k, qs in querysets.items():
        H = qs.model
        previous = H.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date")).order_by(
            "-history_date", "-history_id").values("history_id")[:1]
        if window:
            start, end = window
            qs = qs.filter(history_date__gte=start)
            if end:
                qs = qs.filter(history_date__lt=end)
        qs = (qs.select_related("history_user").annotate(previous_id=Subquery(previous))
              .order_by("-history_date", "-history_id")[:need])
        rows.extend((k, r) for r in qs)
    rows.sort(key=lambda kr: (kr[1].history_date, kr[1].history_id), reverse=True)
    start = (page - 1) * page_size
    if page > 1 and len(rows) <= start:
        # Past the end: every row was fetched (each table had fewer than ``need``), so the last page is known.
        page = max(1, -(-len(rows) // page_size))
        start = (page - 1) * page_size
    page_rows = rows[start:start + page_size]

    # The previous version of each changed row, one query per history table.
    previous_ids = {}
    for k, r in page_rows:
        if r.history_type == "~" and r.previous_id:
            previous_ids.setdefault(k, set()).add(r.previous_id)
    previous = {}
    for k, hids in previous_ids.items():
        H = history_model(KINDS[k][0])
        previous.update({(k, p.history_id): p for p in H.objects.filter(history_id__in=hids)})

    names = Names()
    entries = []
    for k, r in page_rows:
        model, kind_label = KINDS[k]
        entry = Entry(kind=k, kind_label=kind_label, record=r, when=r.history_date, user=r.history_user,
                      action=r.history_type, reason=r.history_change_reason or "")
        old = previous.get((k, r.previous_id))
        if r.history_type == "~" and old is not None:
            delta = r.diff_against(old, excluded_fields=NOT_SHOWN)
            entry.changes = [(model, c.field, c.old, c.new) for c in delta.changes]
        names.want_subject(k, r)
        for m, f, before, after in entry.changes:
            names.want_value(m, f, before)
            names.want_value(m, f, after)
        entries.append(entry)
    names.load()
    for e in entries:
        e.subject = names.subject(e.kind, e.record)
        e.changes = [Change(f, str(m._meta.get_field(f).verbose_name), names.show(m, f, before),
                            names.show(m, f, after)) for m, f, before, after in e.changes]
        e.title = _title(e)
    return TimelinePage(entries=entries, number=page, has_next=len(rows) > start + page_size,
                        has_previous=page > 1)


def _title(e):
    kind = e.kind_label
    if e.action == "+":
        if e.kind == "iteration" and e.record.number > 1:
            return _("Iteration %(n)d started") % {"n": e.record.number}
        if e.kind == "decision":
            return _("Decision: %(kind)s") % {"kind": e.record.get_kind_display()}
        return _("%(kind)s added") % {"kind": kind}
    if e.action == "-":
        return _("%(kind)s removed") % {"kind": kind}
    if not e.changes:
        return _("%(kind)s saved without visible changes") % {"kind": kind}
    chosen = [c for c in e.changes if e.kind == "iteration" and c.field == "chosen_option"]
    if chosen:
        return _("Strategy chosen: %(name)s") % {"name": chosen[0].after}
    if len(e.changes) == 1:
        c = e.changes[0]
        return _("%(kind)s %(field)s changed: %(before)s → %(after)s") % {
            "kind": kind, "field": c.label, "before": Truncator(c.before).chars(60),
            "after": Truncator(c.after).chars(60)}
    return _("%(kind)s changed") % {"kind": kind}


class Names:
    """Batch look-up of the names the entries show (one query per kind of object named)."""

    FK_TARGETS = {"item": Item, "barrier": Barrier, "option": StrategyOption, "chosen_option": StrategyOption,
                  "goal": Goal, "iteration": Iteration, "criterion": SuccessCriterion, "review": Review}
    USER_FIELDS = {"owner", "created_by", "updated_by", "rated_by", "decided_by", "user"}

    def __init__(self):
        self.wanted = {}
        self.found = {}

    def _want(self, target, pk):
        if pk is not None:
            self.wanted.setdefault(target, set()).add(pk)

    def want_value(self, model, name, value):
        if name in self.USER_FIELDS:
            self._want(User, value)
        elif name in self.FK_TARGETS:
            self._want(self.FK_TARGETS[name], value)

    def want_subject(self, kind, r):
        for name in ("item_id", "barrier_id", "option_id", "goal_id", "iteration_id", "criterion_id"):
            if hasattr(r, name):
                self._want(self.FK_TARGETS[name[:-3]], getattr(r, name))
        for name in ("rated_by_id", "user_id"):
            if hasattr(r, name):
                self._want(User, getattr(r, name))

    def load(self):
        for target, ids in self.wanted.items():
            qs = target.objects.filter(pk__in=ids)
            if target in (Barrier, StrategyOption):
                qs = qs.select_related("item")
            self.found[target] = {o.pk: o for o in qs}

    def name(self, target, pk):
        if pk is None:
            return "—"
        obj = self.found.get(target, {}).get(pk)
        if obj is None:
            return _("(removed)")
        if target is User:
            return obj.name or obj.email
        if target is Iteration:
            return _("Iteration %(n)d") % {"n": obj.number}
        return Truncator(str(obj)).chars(80)

    def show(self, model, name, value):
        f = model._meta.get_field(name)
        if name in self.USER_FIELDS:
            return self.name(User, value)
        if name in self.FK_TARGETS:
            return self.name(self.FK_TARGETS[name], value)
        if value is None or value == "":
            return "—"
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return Truncator(str(value)).chars(300)

    def subject(self, kind, r):
        if kind == "project":
            return r.name
        if kind == "goal":
            return Truncator(r.end_goal).chars(80)
        if kind in ("barrier", "option"):
            return self.name(Item, r.item_id) if r.item_id else r.custom_name
        if kind == "rating":
            return _("%(barrier)s, rated by %(who)s") % {"barrier": self.name(Barrier, r.barrier_id),
                                                          "who": self.name(User, r.rated_by_id)}
        if kind == "iteration":
            return _("Iteration %(n)d") % {"n": r.number}
        if kind == "focus":
            return self.name(Goal, r.goal_id) if r.goal_id else self.name(Barrier, r.barrier_id)
        if kind == "appraisal":
            return f"{self.name(StrategyOption, r.option_id)} – {r.criterion}"
        if kind == "specification":
            return self.name(Iteration, r.iteration_id)
        if kind == "task":
            return r.title
        if kind == "criterion":
            return Truncator(r.description).chars(80)
        if kind == "review":
            return str(r.review_date)
        if kind == "judgement":
            return f"{self.name(SuccessCriterion, r.criterion_id)}: {r.get_verdict_display()}"
        if kind == "decision":
            return Truncator(r.reason).chars(120)
        if kind == "effort":
            return _("%(who)s, %(minutes)d min on %(date)s: %(activity)s") % {
                "who": self.name(User, r.user_id), "minutes": r.minutes, "date": r.date, "activity": r.activity}
        return ""


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
