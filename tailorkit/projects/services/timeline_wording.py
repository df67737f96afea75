"""How the timeline's entries read (see ``timeline.py``): a plain sentence per entry (who did what
to which object), the names of the objects and people it mentions, looked up in one query for the
whole page, and dates in the reader's format."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import DateField, F, IntegerField, TextField, Value
from django.db.models.functions import Cast, Coalesce, NullIf, Substr
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tailorkit.consultations.models import Consultation
from tailorkit.core.models import User
from tailorkit.library.models import Item

from ..models import (
    Barrier,
    EngagementChange,
    EngagementRecord,
    Goal,
    Iteration,
    Review,
    StakeholderGroup,
    StrategyOption,
    SuccessCriterion,
)
from ..models.engagement import Approach


def show_date(value):
    """A date, or a moment in the site's time zone, in the reader's format (``DATE_FORMAT`` /
    ``DATETIME_FORMAT`` of the active language), never as 2026-03-03."""
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "DATETIME_FORMAT")
    return date_format(value, "DATE_FORMAT")


# --- An entry and what it shows (built in ``timeline.py``) -------------------------------------------


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
    # Cause and effect (stakeholder engagement, ``timeline_engagement``): the records this change came
    # after, as [(record id, its name)]; for a record's entry, what it led to ([text]) and its id
    # while it exists (for the link to it).
    after: list = field(default_factory=list)
    led_to: list = field(default_factory=list)
    record_id: int | None = None

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


# What an entry's sentence calls an object of each kind.
A_THING = {
    "project": gettext_lazy("a project"), "goal": gettext_lazy("a goal"), "barrier": gettext_lazy("a barrier"),
    "rating": gettext_lazy("a rating"), "iteration": gettext_lazy("an iteration"),
    "focus": gettext_lazy("a focus"), "option": gettext_lazy("a candidate strategy"),
    "appraisal": gettext_lazy("an APEASE rating"), "specification": gettext_lazy("a specification"),
    "task": gettext_lazy("a task"), "criterion": gettext_lazy("a success criterion"),
    "review": gettext_lazy("a review"), "judgement": gettext_lazy("a judgement"),
    "decision": gettext_lazy("a decision"), "effort": gettext_lazy("time spent"),
    "stakeholder_group": gettext_lazy("a stakeholder group"),
    "engagement_plan": gettext_lazy("an engagement plan"),
    "engagement_record": gettext_lazy("a record of engagement"),
    "engagement_change": gettext_lazy("a change made because of an engagement"),
}
THE_THING = {
    "project": gettext_lazy("the project"), "goal": gettext_lazy("the goal"), "barrier": gettext_lazy("the barrier"),
    "rating": gettext_lazy("the rating"), "iteration": gettext_lazy("the iteration"),
    "focus": gettext_lazy("the focus"), "option": gettext_lazy("the candidate strategy"),
    "appraisal": gettext_lazy("the APEASE rating"), "specification": gettext_lazy("the specification"),
    "task": gettext_lazy("the task"), "criterion": gettext_lazy("the success criterion"),
    "review": gettext_lazy("the review"), "judgement": gettext_lazy("the judgement"),
    "decision": gettext_lazy("the decision"), "effort": gettext_lazy("the time spent"),
    "stakeholder_group": gettext_lazy("the stakeholder group"),
    "engagement_plan": gettext_lazy("the engagement plan"),
    "engagement_record": gettext_lazy("the record of engagement"),
    "engagement_change": gettext_lazy("the change made because of an engagement"),
}
# Labels of the values shown that are not a field of the history table, or have no label of their own.
FIELD_LABELS = {
    "groups": EngagementRecord._meta.get_field("groups").verbose_name,
    "removed_at": gettext_lazy("removed from the map"),
}


def field_label(history_model, name):
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return str(history_model._meta.get_field(name).verbose_name)


def record_label(approach, day):
    """What a record of engagement is called: how, and when (“Workshop on 3 March 2026”)."""
    how = dict(Approach.choices).get(approach, approach)
    return _("%(how)s on %(date)s") % {"how": how, "date": show_date(day) if day else "—"}


def change_label(kind, label, what):
    """An item changed because of an engagement, in words (“Barrier “Long forms” added”)."""
    return _("%(kind)s “%(label)s” %(what)s") % {
        "kind": dict(EngagementChange.Kind.choices).get(kind, kind), "label": Truncator(label).chars(80),
        "what": dict(EngagementChange.What.choices).get(what, what)}


def _person(user):
    return (user.name or user.email) if user is not None else _("Someone")


def _fields(changes):
    return ", ".join(dict.fromkeys(c.label for c in changes))


def entry_title(e, names):
    """(sentence, subject) of an entry, in plain words: who did what to which object."""
    who, parts, kind = _person(e.user), e.parts, e.kind
    n = len(parts)
    actions = {p.action for p in parts}
    if kind == "appraisal" and "-" not in actions:
        option = names.name(StrategyOption, parts[0].record.option_id)
        return ngettext("%(who)s rated “%(option)s” on %(n)d APEASE criterion",
                        "%(who)s rated “%(option)s” on %(n)d APEASE criteria", n) % {
            "who": who, "option": option, "n": n}, ""
    if kind == "rating" and "-" not in actions:
        barriers = "; ".join(p.subject for p in parts)
        return ngettext("%(who)s rated %(n)d barrier", "%(who)s rated %(n)d barriers", n) % {
            "who": who, "n": n}, Truncator(barriers).chars(200)
    if kind == "focus":
        number = names.iteration_number(parts[0].record.iteration_id)
        if number is None:
            return _("%(who)s changed the focus") % {"who": who}, ""
        return _("%(who)s set the focus of iteration %(n)d") % {"who": who, "n": number}, ""
    if kind == "engagement_record":
        return _engagement_title(e, names, who)
    judged = len([p for p in parts if p.kind == "judgement"])
    if judged:
        review = next((p for p in parts if p.kind == "review"), None)
        subject = names.review_day(parts[-1].record.review_id if review is None else review.record.id)
        if review is not None and review.action == "+":
            return _("%(who)s recorded a review") % {"who": who}, subject
        if review is not None and review.action == "-":
            return _("%(who)s removed a review") % {"who": who}, subject
        if review is not None and review.changes:
            return _("%(who)s edited the review: %(fields)s") % {"who": who, "fields": _fields(review.changes)}, subject
        return ngettext("%(who)s judged %(n)d success criterion", "%(who)s judged %(n)d success criteria",
                        judged) % {"who": who, "n": judged}, subject
    if n > 1:
        return ngettext("%(who)s made %(n)d change: %(kind)s", "%(who)s made %(n)d changes: %(kind)s", n) % {
            "who": who, "n": n, "kind": e.kind_label}, ""
    p = parts[0]
    r = p.record
    subject = names.subject(p.kind, r)
    if p.action == "+":
        if kind == "project":
            return _("%(who)s created the project") % {"who": who}, subject
        if kind == "iteration":
            return _("%(who)s started iteration %(n)d") % {"who": who, "n": r.number}, ""
        if kind == "decision":
            return _("%(who)s decided: %(kind)s") % {"who": who, "kind": r.get_kind_display()}, subject
        return _("%(who)s added %(thing)s") % {"who": who, "thing": A_THING[kind]}, subject
    if p.action == "-":
        return _("%(who)s removed %(thing)s") % {"who": who, "thing": THE_THING[kind]}, subject
    if kind == "stakeholder_group" and any(c.field == "removed_at" and c.after != "—" for c in p.changes):
        return _("%(who)s removed the stakeholder group from the map") % {"who": who}, subject
    chosen = [c for c in p.changes if kind == "iteration" and c.field == "chosen_option"]
    if chosen:
        return _("%(who)s chose the strategy “%(name)s”") % {"who": who, "name": chosen[0].after}, subject
    if not p.changes:
        return _("%(who)s edited %(thing)s") % {"who": who, "thing": THE_THING[kind]}, subject
    return _("%(who)s edited %(thing)s: %(fields)s") % {
        "who": who, "thing": THE_THING[kind], "fields": _fields(p.changes)}, subject


def _engagement_title(e, names, who):
    """A record of engagement saved with the changes it led to (one save, like a review with its
    judgements), or changes noted later on their own."""
    record = next((p for p in e.parts if p.kind == "engagement_record"), None)
    if record is None:   # changes only: named after their record
        n = len(e.parts)
        return ngettext("%(who)s noted %(n)d change made because of an engagement",
                        "%(who)s noted %(n)d changes made because of an engagement", n) % {"who": who, "n": n}, \
            names.name(EngagementRecord, e.parts[0].record.record_id)
    subject = names.subject("engagement_record", record.record)
    if record.action == "+":
        return _("%(who)s recorded an engagement with stakeholders") % {"who": who}, subject
    if record.action == "-":
        return _("%(who)s removed a record of engagement") % {"who": who}, subject
    if record.changes:
        return _("%(who)s edited the record of engagement: %(fields)s") % {
            "who": who, "fields": _fields(record.changes)}, subject
    return _("%(who)s edited the record of engagement") % {"who": who}, subject


@dataclass
class _Named:
    text: str          # what ``str()`` of the object says (a person: their name, else their address)
    number: int | None  # an iteration's number
    day: date | None    # a review's date


# Named so as not to clash with the models' own fields (an iteration has a ``number``).
_COLUMNS = ("named_tag", "named_pk", "named_text", "named_number", "named_day")


def _columns(text, number=None, day=None):
    # Typed NULLs: PostgreSQL resolves a UNION's column types pairwise, and an untyped NULL beside
    # a date in a later SELECT would fail.
    return {"named_text": Cast(text, TextField()), "named_number": number or Cast(Value(None), IntegerField()),
            "named_day": day or Cast(Value(None), DateField())}


# Target → its columns, the same texts as the models' ``__str__`` (goal and criterion: the first 80
# characters; barrier and option: the library item's name, else their own).
_NAME_COLUMNS = {
    User: lambda: _columns(Coalesce(NullIf("name", Value("")), "email")),
    Item: lambda: _columns(F("name")),
    Barrier: lambda: _columns(Coalesce("item__name", "custom_name")),
    StrategyOption: lambda: _columns(Coalesce("item__name", "custom_name")),
    Goal: lambda: _columns(Substr("end_goal", 1, 80)),
    Iteration: lambda: _columns(Value(""), number=F("number")),
    SuccessCriterion: lambda: _columns(Substr("description", 1, 80)),
    Review: lambda: _columns(Value(""), day=F("review_date")),   # its text is made from the date below
    StakeholderGroup: lambda: _columns(F("name")),
    EngagementRecord: lambda: _columns(F("approach"), day=F("date")),   # its text is made below
    Consultation: lambda: _columns(F("title")),
}


class Names:
    """Batch look-up of the names the entries show (one query for all kinds of object named)."""

    FK_TARGETS = {"item": Item, "barrier": Barrier, "option": StrategyOption, "chosen_option": StrategyOption,
                  "goal": Goal, "iteration": Iteration, "criterion": SuccessCriterion, "review": Review,
                  "group": StakeholderGroup, "record": EngagementRecord, "consultation": Consultation}
    # Many-to-many values (kept as a tuple of ids in the timeline's changes).
    M2M_TARGETS = {"groups": StakeholderGroup}
    USER_FIELDS = {"owner", "created_by", "updated_by", "rated_by", "decided_by", "user"}

    def __init__(self):
        self.wanted = {}
        self.found = {}

    def _want(self, target, pk):
        if pk is not None:
            self.wanted.setdefault(target, set()).add(pk)

    def want_value(self, name, value):
        if name in self.USER_FIELDS:
            self._want(User, value)
        elif name in self.FK_TARGETS:
            self._want(self.FK_TARGETS[name], value)
        elif name in self.M2M_TARGETS:
            for pk in value or ():
                self._want(self.M2M_TARGETS[name], pk)

    def want_subject(self, kind, r):
        for name in ("item_id", "barrier_id", "option_id", "goal_id", "iteration_id", "criterion_id", "review_id",
                     "group_id", "record_id"):
            if hasattr(r, name):
                self._want(self.FK_TARGETS[name[:-3]], getattr(r, name))
        for name in ("rated_by_id", "user_id"):
            if hasattr(r, name):
                self._want(User, getattr(r, name))
        if kind == "engagement_record":   # whether it still exists, for the link to it
            self._want(EngagementRecord, r.id)

    def load(self):
        """Look up every name wanted in one query: a SELECT per kind of object, joined by UNION ALL,
        each giving (kind, id, name, number, date). One query whatever kinds the page names, so a
        page costs the same number of queries whichever entries it shows."""
        parts = [target.objects.filter(pk__in=ids).order_by().annotate(
                     named_tag=Value(i), named_pk=F("pk"), **_NAME_COLUMNS[target]()).values_list(*_COLUMNS)
                 for i, (target, ids) in enumerate(self.wanted.items())]
        self.found = {target: {} for target in self.wanted}
        if not parts:
            return
        targets = list(self.wanted)
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for tag, pk, text, number, day in rows:
            target = targets[tag]
            # As ``str(review)``; the date is formatted here, not by the database (its text form varies).
            self.found[target][pk] = _Named(f"Review {day}" if target is Review else text, number, day)

    def name(self, target, pk):
        if pk is None:
            return "—"
        obj = self.found.get(target, {}).get(pk)
        if obj is None:
            return _("(removed)")
        if target is Iteration:
            return _("Iteration %(n)d") % {"n": obj.number}
        if target is EngagementRecord:
            return record_label(obj.text, obj.day)
        return Truncator(obj.text).chars(80)

    def exists(self, target, pk):
        return pk in self.found.get(target, {})

    def iteration_number(self, pk):
        obj = self.found.get(Iteration, {}).get(pk)
        return obj.number if obj is not None else None

    def review_day(self, pk):
        obj = self.found.get(Review, {}).get(pk)
        return show_date(obj.day) if obj is not None else ""

    def show(self, model, name, value):
        """A stored value in words: names for people and objects, labels for choices, dates in the
        page's format, numbers without needless decimals (40.00 → 40)."""
        if name in self.M2M_TARGETS:
            return ", ".join(self.name(self.M2M_TARGETS[name], pk) for pk in value) if value else "—"
        f = model._meta.get_field(name)
        if name in self.USER_FIELDS:
            return self.name(User, value)
        if name in self.FK_TARGETS and f.is_relation:
            return self.name(self.FK_TARGETS[name], value)
        if value is None or value == "":
            return "—"
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, (datetime, date)):
            return show_date(value)
        if isinstance(value, (Decimal, float)):
            return floatformat(value, "-2")
        return Truncator(str(value)).chars(300)

    def part_subject(self, kind, r):
        """What one object of an entry is called in its details (the entry's sentence names the rest)."""
        if kind == "rating":
            return self.name(Barrier, r.barrier_id)
        if kind == "appraisal":
            return capfirst(r.criterion)
        if kind == "judgement":
            return self.name(SuccessCriterion, r.criterion_id)
        if kind == "review":
            return _("Review")
        if kind == "engagement_record":
            return _("Record")
        return self.subject(kind, r)

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
            return show_date(r.review_date)
        if kind == "judgement":
            return f"{self.name(SuccessCriterion, r.criterion_id)}: {r.get_verdict_display()}"
        if kind == "decision":
            return Truncator(r.reason).chars(120)
        if kind == "effort":
            return _("%(who)s, %(minutes)d min on %(date)s: %(activity)s") % {
                "who": self.name(User, r.user_id), "minutes": r.minutes, "date": show_date(r.date),
                "activity": r.activity}
        if kind == "stakeholder_group":
            return r.name
        if kind == "engagement_plan":
            return _("%(group)s, %(step)s") % {"group": self.name(StakeholderGroup, r.group_id),
                                                "step": r.get_step_display()}
        if kind == "engagement_record":
            return record_label(r.approach, r.date)
        if kind == "engagement_change":
            return change_label(r.kind, r.label, r.what)
        return ""
