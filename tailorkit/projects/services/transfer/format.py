"""The project file format (version 1): what a Tailorkit project export contains, and the checks
an import makes before it writes anything.

The format is described key by key in docs/project-format.md. In short: one object per row, in
flat lists per kind, each with an opaque ``ref`` that other rows use to point at it; people are
e-mail addresses; library items are ``{"pack": slug, "code": code}``; the ``history`` list holds
every past version of every row (a full snapshot each time), so the importing site gets the same
record a research trial needs.

Stakeholder engagement (issue 17) travels too: groups, plans, records (with the refs of the groups
reached, in rows and history) and the changes made because of a record (``object_id``: the ref of the
goal, barrier, strategy option, task or success criterion). Two things stay behind. Named people
(``StakeholderPerson``) are never exported: they are personal data, listed with their agreement for
this project only. The consultation of a plan or record belongs to the organisation and cannot
travel: it is left out, so the copy has none (as a criterion's unknown measure is left empty).

``validate_file`` walks the whole file and reports every problem with its JSON path (up to
``MAX_ERRORS``), converting the values it checks; ``imports.py`` writes what it returns.
"""

import difflib
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tailorkit.core.models import User
from tailorkit.library.models import ContentPack, Item
from tailorkit.measures.models import Measure

from ...models import (
    LEGACY_SPEC_FIELDS,
    SPEC_FIELDS,
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
    Step,
    StrategyOption,
    SuccessCriterion,
    Task,
    merge_legacy_spec,
)

FORMAT = "tailorkit.project"
VERSION = 1
MAX_ERRORS = 50
# Rows in the lists and the history together. A project with years of history has a few thousand;
# the 4.7 MB file of docs/performance.md has 20,000 and is written in about 5 s. The limit bounds
# the worker's time and the length of its write transaction, during which SQLite makes every other
# writer wait (for at most its 20 s busy timeout).
MAX_ROWS = 50_000
# How often ``validate_file`` reports its progress, in rows.
PROGRESS_EVERY = 500

# kind → (list key, model, exported fields). The list order is the creation order on import:
# every row only points at rows of kinds listed before it (Iteration.chosen_option is set later).
KINDS = {
    "goal": ("goals", Goal, ["target_group", "end_goal", "emphasis", "created_by", "created_at"]),
    "barrier": ("barriers", Barrier, ["item", "custom_name", "custom_category", "notes", "created_by",
                                      "created_at"]),
    "barrier_rating": ("barrier_ratings", BarrierRating, ["barrier", "rated_by", "importance", "changeability",
                                                          "updated_at"]),
    "strategy_option": ("strategy_options", StrategyOption, ["barrier", "item", "custom_name", "description",
                                                             "created_by", "created_at"]),
    "appraisal": ("appraisals", Appraisal, ["option", "criterion", "rating", "note", "updated_by", "updated_at"]),
    "iteration": ("iterations", Iteration, ["number", "back_to", "started_at", "focus_reason", "chosen_option",
                                            "choice_justification"]),
    "focus": ("focus", Focus, ["iteration", "goal", "barrier"]),
    "specification": ("specifications", Specification, ["iteration", *SPEC_FIELDS, "updated_by", "updated_at"]),
    "task": ("tasks", Task, ["iteration", "title", "owner", "due_date", "status"]),
    # A criterion's measure belongs to the organisation, not the project: it is written by its name and
    # matched by name on import (an unknown one is left empty, with a note). Files without it still import.
    "success_criterion": ("success_criteria", SuccessCriterion, ["iteration", "description", "target_value",
                                                                 "target_unit", "target_date", "measure",
                                                                 "direction"]),
    "review": ("reviews", Review, ["iteration", "review_date", "what_was_done", "evidence", "created_by"]),
    "judgement": ("judgements", Judgement, ["review", "criterion", "verdict", "evidence", "proposed"]),
    "decision": ("decisions", Decision, ["iteration", "review", "kind", "reason", "decided_by", "decided_at"]),
    "effort": ("effort", EffortEntry, ["user", "date", "minutes", "step", "activity"]),
    # Stakeholder engagement (see the top of this module): no named people, no consultations.
    "stakeholder_group": ("stakeholder_groups", StakeholderGroup, ["name", "side", "relation", "affected",
                                                                  "influence", "notes", "removed_at", "created_by",
                                                                  "created_at"]),
    "engagement_plan": ("engagement_plans", EngagementPlan, ["iteration", "step", "group", "objective", "approach",
                                                             "note", "created_by", "created_at"]),
    "engagement_record": ("engagement_records", EngagementRecord, ["iteration", "step", "date", "approach", "groups",
                                                                   "people", "heard", "changed", "created_by",
                                                                   "created_at"]),
    "engagement_change": ("engagement_changes", EngagementChange, ["record", "kind", "object_id", "label", "what"]),
}
# What an engagement change's ``object_id`` is the ref of, by the change's kind.
CHANGED_KINDS = {EngagementChange.Kind.GOAL: "goal", EngagementChange.Kind.BARRIER: "barrier",
                 EngagementChange.Kind.OPTION: "strategy_option", EngagementChange.Kind.TASK: "task",
                 EngagementChange.Kind.CRITERION: "success_criterion"}
PROJECT_FIELDS = ["name", "service", "determinant_pack", "strategy_pack", "owner", "step", "status",
                  "started_on", "created_at", "last_activity_at"]
ALL_KINDS = {"project": ("project", Project, PROJECT_FIELDS), **KINDS}
KIND_OF_MODEL = {model: kind for kind, (_key, model, _f) in ALL_KINDS.items()}
# Set by ``auto_now``/``auto_now_add`` on save; restored with an update after the insert.
STAMPS = {"created_at", "updated_at"}
HISTORY_TYPES = {"created": "+", "changed": "~", "deleted": "-"}
# The keys of the objects that are not rows; a row has ``ref`` and its fields (history data: its fields).
TOP_KEYS = {"format", "version", "exported_at", "project", "history", *(key for key, _m, _f in KINDS.values())}
HISTORY_KEYS = {"kind", "ref", "type", "date", "user", "reason", "data"}
ITEM_KEYS = {"pack", "code"}


def ref_of(kind, pk):
    return f"{kind}-{pk}"


def m2m_history(model, name):
    """The model of the history rows of ``model``'s many-to-many field ``name`` (simple-history keeps one
    row per linked object and version) and the columns of its two sides, as in the link table."""
    from django.apps import apps

    f = model._meta.get_field(name)
    return (apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{name}"), f.m2m_column_name(),
            f.m2m_reverse_name())


class Checker:
    """Walks the file, collects every error with its JSON path, and converts values."""

    def __init__(self, organisation):
        self.errors = []
        self.organisation = organisation
        self.refs = {kind: set() for kind in ALL_KINDS}          # live rows
        self.history_refs = {kind: set() for kind in ALL_KINDS}  # rows known only from history
        self.packs = {}                                          # "determinant"/"strategy" → ContentPack
        self.items = {}                                          # (pack slug, code) → Item
        self.failed = set()                                      # paths already reported
        self.notes = []                                          # what the import changed, for the person
        self.measures = None                                     # name → the organisation's Measure

    def error(self, path, message):
        self.failed.add(path)
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"{path}: {message}")

    def unknown_keys(self, raw, known, path):
        """Refuse keys the format does not have (a typo would otherwise drop the value silently)."""
        for key in raw:
            if key in known:
                continue
            where = f"{path}.{key}" if path else key
            if len(self.errors) >= MAX_ERRORS:
                self.failed.add(where)  # not shown: spare the search for the nearest key
                continue
            close = difflib.get_close_matches(key, sorted(known), n=1)
            if close:
                self.error(where, _("unknown key (did you mean '%(key)s'?)") % {"key": close[0]})
            else:
                self.error(where, _("unknown key"))

    def value(self, model, name, raw, path, *, refs):
        """Check one field; return the Python value (refs and e-mails stay as they are)."""
        f = model._meta.get_field(name)
        if isinstance(f, models.ManyToManyField):
            return self._refs(KIND_OF_MODEL[f.related_model], raw, path, refs)
        if model is EngagementChange and name == "object_id":
            # The ref of a row of the file, live or known from its history (a strategy dropped because
            # of a record no longer exists); that it is of the change's kind is checked with the row.
            if not isinstance(raw, str) or not any(raw in self.refs[k] | self.history_refs[k]
                                                   for k in CHANGED_KINDS.values()):
                self.error(path, _("unknown goal, barrier, strategy option, task or success criterion %(ref)s")
                           % {"ref": _shown(raw)})
            return raw
        if raw is None:
            if f.null:
                return None
            self.error(path, _("is required"))
            return None
        if isinstance(f, models.ForeignKey):
            target = f.related_model
            if target is User:
                if not isinstance(raw, str) or "@" not in raw:
                    self.error(path, _("must be an e-mail address"))
                return raw.strip().lower() if isinstance(raw, str) else None
            if target is ContentPack:
                return raw
            if target is Item:
                return self._item(model, raw, path)
            if target is Measure:
                return self._measure(raw, path)
            kind = KIND_OF_MODEL[target]
            if not isinstance(raw, str) or raw not in refs[kind]:
                self.error(path, _("unknown %(kind)s '%(ref)s'") % {"kind": kind.replace("_", " "), "ref": raw})
            return raw
        if isinstance(f, (models.CharField, models.TextField)):
            if not isinstance(raw, str):
                self.error(path, _("must be text"))
                return ""
            if f.max_length and len(raw) > f.max_length:
                self.error(path, _("too long (max %(n)d)") % {"n": f.max_length})
            if f.choices and raw not in dict(f.flatchoices) and not (f.blank and raw == ""):
                self.error(path, _("'%(v)s' is not one of: %(choices)s") % {
                    "v": raw, "choices": ", ".join(repr(c) for c in dict(f.flatchoices))})
            if not f.blank and not raw.strip():
                self.error(path, _("may not be empty"))
            return raw
        if isinstance(f, models.DateTimeField):
            parsed = parse_datetime(raw) if isinstance(raw, str) else None
            if parsed is None:
                self.error(path, _("must be a date and time like 2026-03-01T09:30:00+00:00"))
                return None
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.utc)
        if isinstance(f, models.DateField):
            try:
                parsed = parse_date(raw) if isinstance(raw, str) else None
            except ValueError:
                parsed = None
            if parsed is None:
                self.error(path, _("must be a date like 2026-03-01"))
            return parsed
        if isinstance(f, models.DecimalField):
            try:
                number = Decimal(str(raw)) if not isinstance(raw, bool) else None
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                self.error(path, _("must be a number"))
                return None
            return self._validators(f, number, path)
        if isinstance(f, models.IntegerField):
            if not isinstance(raw, int) or isinstance(raw, bool):
                self.error(path, _("must be a whole number"))
                return None
            return self._validators(f, raw, path)
        return raw

    def _refs(self, kind, raw, path, refs):
        """A list of refs of rows of ``kind`` (a many-to-many field), each once."""
        if not isinstance(raw, list) or not all(isinstance(r, str) for r in raw):
            self.error(path, _("must be a list of refs"))
            return []
        for ref in raw:
            if ref not in refs[kind]:
                self.error(path, _("unknown %(kind)s '%(ref)s'") % {"kind": kind.replace("_", " "), "ref": ref})
                break
        return list(dict.fromkeys(raw))

    def _validators(self, f, value, path):
        try:
            f.run_validators(value)
        except ValidationError as exc:
            self.error(path, " ".join(exc.messages))
        return value

    def _item(self, model, raw, path):
        role = "determinant" if model is Barrier else "strategy"
        if not isinstance(raw, dict) or not isinstance(raw.get("pack"), str) or not isinstance(raw.get("code"), str):
            self.error(path, _('must be {"pack": "<slug>", "code": "<code>"} or null'))
            return None
        self.unknown_keys(raw, ITEM_KEYS, path)
        pack = self.packs.get(role)
        if pack is None:
            self.failed.add(path)
            return None  # the pack itself is already reported
        if raw["pack"] != pack.slug:
            self.error(path, _("item from pack '%(got)s', but the project uses '%(want)s'") % {
                "got": raw["pack"], "want": pack.slug})
            return None
        item = self.items.get((pack.slug, raw["code"]))
        if item is None:
            self.error(path, _("unknown item '%(code)s' in pack '%(pack)s'") % {"code": raw["code"], "pack": pack.slug})
        return item

    def _measure(self, raw, path):
        """The organisation's measure named ``raw``, or None with a note (once per name)."""
        if not isinstance(raw, str):
            self.error(path, _("must be the name of a measure, or null"))
            return None
        if self.measures is None:
            self.measures = {}
            for m in Measure.objects.filter(organisation=self.organisation).order_by("-pk"):
                self.measures[m.name.strip().lower()] = m  # the oldest of two namesakes wins
        found = self.measures.get(raw.strip().lower())
        if found is None:
            note = _("The measure “%(name)s” is not defined in %(org)s, so the success criteria tied to it were "
                     "imported without a measure: define it and tie them to it again in step 3.") % {
                "name": raw[:200], "org": self.organisation.name}
            if note not in self.notes:
                self.notes.append(note)
        return found

    def row(self, kind, raw, path, *, refs, extra=()):
        """A dict of converted values for one row (object in a list, or history data). ``extra``: the
        keys besides the fields that the object may have (``ref`` in a list)."""
        _key, model, fields = ALL_KINDS[kind]
        if not isinstance(raw, dict):
            self.error(path, _("must be an object"))
            return None
        if kind == "specification":
            raw = self.legacy_specification(raw, path)
        self.unknown_keys(raw, {*fields, *extra}, path)
        values = {}
        for name in fields:
            f = model._meta.get_field(name)
            if name not in raw:
                if name in STAMPS or f.has_default() or f.null or (f.blank and not isinstance(f, models.ForeignKey)):
                    continue
                self.error(f"{path}.{name}", _("is missing"))
                continue
            values[name] = self.value(model, name, raw[name], f"{path}.{name}", refs=refs)
        return values

    def legacy_specification(self, raw, path):
        """Files written before issue 10 have Proctor's actor, temporality, dose and justification
        as keys of their own: their text joins the item that holds it now, as migration 0004 did."""
        if not any(name in raw for name in LEGACY_SPEC_FIELDS):
            return raw
        for name in LEGACY_SPEC_FIELDS:
            if raw.get(name) is not None and not isinstance(raw[name], str):
                self.error(f"{path}.{name}", _("must be text"))
        return merge_legacy_spec(raw)

    def packs_of(self, project_raw):
        for role, name, kinds in (("determinant", "determinant_pack", {"determinants", "framework"}),
                                  ("strategy", "strategy_pack", {"strategies"})):
            slug = project_raw.get(name) if isinstance(project_raw, dict) else None
            pack = ContentPack.objects.filter(slug=slug).first() if isinstance(slug, str) else None
            if pack is None:
                self.error(f"project.{name}", _("unknown content pack '%(slug)s' (load it on this site first)")
                           % {"slug": slug})
            elif pack.kind not in kinds:
                self.error(f"project.{name}", _("pack '%(slug)s' is a %(kind)s pack") % {"slug": slug,
                                                                                          "kind": pack.kind})
            else:
                self.packs[role] = pack
        packs = list(self.packs.values())
        self.items = {(i.pack.slug, i.code): i for i in Item.objects.filter(pack__in=packs).select_related("pack")}


def parse_file(data):
    """The file's JSON (bytes, text or already parsed); unreadable files are refused with a message."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError([_("the file is not UTF-8 text")]) from None
    if isinstance(data, str):
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise ValidationError([_("invalid JSON at line %(line)d, column %(col)d: %(msg)s") % {
                "line": exc.lineno, "col": exc.colno, "msg": exc.msg}]) from None
        except RecursionError:
            raise ValidationError({"file": _("The file nests lists or objects far more deeply than a project "
                                              "export does, so it cannot be read. Check that you chose the "
                                              "right file.")}) from None
        except ValueError:
            # Python refuses to read whole numbers of more than 4,300 digits (a guard against slow
            # conversions); no project file has one.
            message = _("the file holds a number with far too many digits to be a project export")
            raise ValidationError([message]) from None
    return data


def _shown(value):
    """A value for a message: JSON for a plain value, a word for a list or an object (which may be huge)."""
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return json.dumps(value)


def check_envelope(data):
    """The file says it is a Tailorkit project export of a version this site reads."""
    if not isinstance(data, dict):
        raise ValidationError([_("the file must contain a JSON object")])
    if data.get("format") != FORMAT:
        raise ValidationError([_("format: this is not a Tailorkit project export (expected \"%(want)s\", "
                                 "found %(got)s)") % {"want": FORMAT, "got": _shown(data.get("format"))}])
    version = data.get("version")
    if version != VERSION:
        raise ValidationError([_("format version %(v)s is not supported (this Tailorkit reads version %(mine)d)")
                               % {"v": _shown(version), "mine": VERSION}])


def row_counts(data):
    """{list key: number of rows} for the lists of a file that passed ``check_envelope``, history included
    (a key that is not a list counts 0; ``validate_file`` reports it)."""
    keys = [key for key, _m, _f in KINDS.values()] + ["history"]
    return {key: len(data[key]) for key in keys if isinstance(data.get(key), list) and data[key]}


def check_shape(data):
    """The checks that are quick whatever the file holds, made before an import is queued: it is a
    project export of a version this site reads, with no more rows than ``MAX_ROWS``."""
    check_envelope(data)
    rows = sum(row_counts(data).values())
    if rows > MAX_ROWS:
        raise ValidationError({"file": _("The file holds %(n)s rows, more than the %(max)s a project can have here. "
                                         "Check that you chose the right file.")
                                       % {"n": number_format(rows, force_grouping=True),
                                          "max": number_format(MAX_ROWS, force_grouping=True)}})


def validate_file(data, organisation, progress=None):
    """(checker, converted rows by kind, converted history). Raises ValidationError listing all errors.
    ``progress(done, total)``, when given, is called every ``PROGRESS_EVERY`` rows."""
    check_envelope(data)
    total = sum(row_counts(data).values())
    done = 0

    def step():
        nonlocal done
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)

    c = Checker(organisation)
    c.unknown_keys(data, TOP_KEYS, "")
    project_raw = data.get("project")
    if not isinstance(project_raw, dict):
        raise ValidationError([_("project: is missing or not an object")])
    c.packs_of(project_raw)
    lists = {}
    for kind, (key, _model, _fields) in KINDS.items():
        raw = data.get(key, [])
        if not isinstance(raw, list):
            c.error(key, _("must be a list"))
            raw = []
        lists[kind] = raw
        for i, row in enumerate(raw):
            ref = row.get("ref") if isinstance(row, dict) else None
            if not isinstance(ref, str) or not ref:
                c.error(f"{key}[{i}].ref", _("is missing"))
            elif ref in c.refs[kind]:
                c.error(f"{key}[{i}].ref", _("'%(ref)s' is used twice") % {"ref": ref})
            else:
                c.refs[kind].add(ref)
    c.refs["project"].add(project_raw.get("ref"))
    history_raw = data.get("history", [])
    if not isinstance(history_raw, list):
        c.error("history", _("must be a list"))
        history_raw = []
    for entry in history_raw:
        if isinstance(entry, dict) and entry.get("kind") in ALL_KINDS and isinstance(entry.get("ref"), str):
            if entry["ref"] not in c.refs[entry["kind"]]:
                c.history_refs[entry["kind"]].add(entry["ref"])

    project = c.row("project", project_raw, "project", refs=c.refs, extra=("ref", "team"))
    team = project_raw.get("team", [])
    if not isinstance(team, list) or not all(isinstance(e, str) for e in team):
        c.error("project.team", _("must be a list of e-mail addresses"))
        team = []
    project["team"] = [e.strip().lower() for e in team]

    rows = {}
    for kind, (key, _model, _fields) in KINDS.items():
        rows[kind] = []
        for i, raw in enumerate(lists[kind]):
            step()
            values = c.row(kind, raw, f"{key}[{i}]", refs=c.refs, extra=("ref",))
            if values is not None:
                rows[kind].append((f"{key}[{i}]", raw.get("ref"), values))
    _cross_checks(c, rows)
    _step_checks(c, project, rows)
    if not rows["iteration"]:
        c.error("iterations", _("a project needs at least one iteration"))

    every_ref = {k: c.refs[k] | c.history_refs[k] for k in ALL_KINDS}
    history = []
    for i, entry in enumerate(history_raw):
        step()
        path = f"history[{i}]"
        if not isinstance(entry, dict):
            c.error(path, _("must be an object"))
            continue
        c.unknown_keys(entry, HISTORY_KEYS, path)
        kind = entry.get("kind")
        if kind not in ALL_KINDS:
            c.error(f"{path}.kind", _("unknown kind %(k)s") % {"k": _shown(kind)})
            continue
        htype = HISTORY_TYPES.get(entry.get("type"))
        if htype is None:
            c.error(f"{path}.type", _("must be one of: created, changed, deleted"))
        when = parse_datetime(entry["date"]) if isinstance(entry.get("date"), str) else None
        if when is None:
            c.error(f"{path}.date", _("must be a date and time like 2026-03-01T09:30:00+00:00"))
        elif timezone.is_naive(when):
            when = timezone.make_aware(when, timezone.utc)
        who = entry.get("user")
        if who is not None and (not isinstance(who, str) or "@" not in who):
            c.error(f"{path}.user", _("must be an e-mail address or null"))
        reason = entry.get("reason") or ""
        if not isinstance(reason, str):
            c.error(f"{path}.reason", _("must be text"))
            reason = ""
        values = c.row(kind, entry.get("data"), f"{path}.data", refs=every_ref)
        history.append((kind, entry.get("ref"), htype, when, who.lower() if isinstance(who, str) else None,
                        reason, values or {}))
    if progress is not None:
        progress(total, total)
    if c.errors:
        raise ValidationError(c.errors)
    return c, project, rows, history


def _cross_checks(c, rows):
    seen = set()
    for kind in ("barrier", "strategy_option"):
        for path, _r, v in rows[kind]:
            if f"{path}.item" in c.failed:
                continue  # an item was given but is wrong: that is the error to report, not a missing name
            if not v.get("item") and not (v.get("custom_name") or "").strip():
                c.error(path, _("needs an item or a custom_name"))
    for path, _r, v in rows["focus"]:
        if bool(v.get("goal")) == bool(v.get("barrier")):
            c.error(path, _("must name exactly one of goal and barrier"))
    for path, _r, v in rows["decision"]:
        if v.get("kind") in Decision.REASON_REQUIRED and not (v.get("reason") or "").strip():
            c.error(f"{path}.reason", _("this decision needs a reason"))
    for path, _r, v in rows["engagement_change"]:
        kind = CHANGED_KINDS.get(v.get("kind"))
        if kind and f"{path}.object_id" not in c.failed and \
                v.get("object_id") not in c.refs[kind] | c.history_refs[kind]:
            c.error(f"{path}.object_id", _("is not a %(kind)s of the file") % {"kind": kind.replace("_", " ")})
    names = set()
    for path, _r, v in rows["stakeholder_group"]:
        if v.get("removed_at") is None and isinstance(v.get("name"), str):
            if v["name"] in names:
                c.error(f"{path}.name", _("another group on the map has this name"))
            names.add(v["name"])
    for kind, keys in (("iteration", ("number",)), ("appraisal", ("option", "criterion")),
                       ("focus", ("iteration", "goal", "barrier")), ("specification", ("iteration",)),
                       ("judgement", ("review", "criterion"))):
        for path, _r, v in rows[kind]:
            key = (kind, *[v.get(k) for k in keys])
            if key in seen:
                c.error(path, _("duplicates an earlier %(kind)s") % {"kind": kind.replace("_", " ")})
            seen.add(key)


# Where an iteration that went back starts (``decision_record``): the project is at least there.
_BACK_STEP = {Iteration.BackTo.STRATEGY: Step.MATCH, Iteration.BackTo.PLAN: Step.PLAN}
_STEP_BACKS = {Decision.Kind.BACK_GOALS: Iteration.BackTo.GOALS, Decision.Kind.BACK_BARRIERS: Iteration.BackTo.BARRIERS,
               Decision.Kind.BACK_STRATEGY: Iteration.BackTo.STRATEGY, Decision.Kind.BACK_PLAN: Iteration.BackTo.PLAN}


def _step_checks(c, project, rows):
    """The rules between the project's step and its iterations that Tailorkit itself keeps. Only
    what can never happen in a real project is refused: a project may well be at "review" with no
    review yet ("ready to apply" is never blocked), or at "goals" with a goal in focus (after "back
    to barriers"), so neither is refused."""
    order = list(Step.values)
    step = project.get("step")
    iterations = {ref: (path, v) for path, ref, v in rows["iteration"] if isinstance(v.get("number"), int)}
    by_number = {v["number"]: ref for ref, (_p, v) in iterations.items()}
    for path, _ref, v in rows["iteration"]:
        number, back_to = v.get("number"), v.get("back_to")
        if number == 1 and back_to:
            c.error(f"{path}.back_to", _("the first iteration cannot go back to an earlier one"))
        elif isinstance(number, int) and number > 1 and back_to == "":
            c.error(f"{path}.back_to", _("iteration %(n)d must say what it went back to") % {"n": number})
    for path, _ref, v in rows["decision"]:
        back_to = _STEP_BACKS.get(v.get("kind"))
        if back_to is None or v.get("iteration") not in iterations:
            continue
        number = iterations[v["iteration"]][1]["number"]
        following = iterations.get(by_number.get(number + 1))
        if following is None:
            c.error(f"{path}.kind", _("a step back starts iteration %(n)d, but the file has no iteration %(n)d")
                    % {"n": number + 1})
        elif following[1].get("back_to") != back_to:
            c.error(f"{following[0]}.back_to", _("must be '%(want)s', as decided in %(path)s") % {
                "want": back_to, "path": path})
    reviews = {ref: v.get("iteration") for _p, ref, v in rows["review"]}
    for path, _ref, v in rows["decision"]:
        if v.get("review") in reviews and reviews[v["review"]] != v.get("iteration"):
            c.error(f"{path}.review", _("belongs to another iteration than the decision"))
    if step not in order or not by_number:
        return
    last_ref = by_number[max(by_number)]
    last_path, last = iterations[last_ref]

    def at_least(needed, path, why):
        if order.index(step) < order.index(needed):
            c.error("project.step", _("'%(step)s' is too early: %(why)s (%(path)s), so the project is at "
                                      "least at '%(needed)s'") % {"step": step, "why": why, "path": path,
                                                                  "needed": needed})

    if last.get("back_to") in _BACK_STEP:
        at_least(_BACK_STEP[last["back_to"]], f"{last_path}.back_to",
                 _("the current iteration went back to '%(back)s'") % {"back": last["back_to"]})
    if last.get("chosen_option"):
        at_least(Step.PLAN, f"{last_path}.chosen_option", _("the current iteration has a chosen strategy"))
    for path, _ref, v in rows["focus"]:
        if v.get("iteration") == last_ref and v.get("barrier"):
            at_least(Step.MATCH, path, _("the current iteration has a barrier in focus"))
            break
