"""Export of a whole project with its history, in the project file format (``format.py``).

Every live row and every past version of every row (from the django-simple-history tables) goes
into the file, so the importing site gets the same record a research trial needs. An export is
recorded as an audit event.

The file is produced row by row (issue 11, point 4): each table is read with ``.iterator()`` and
each row serialised and let go, and the history of all tables is merged in date order from one
ordered query per table (``heapq.merge``) rather than sorted in memory. ``project_export_stream``
writes the JSON text as it goes (the download); ``project_export`` gathers the same rows into a
dict (tests, the fault drill).
"""

import heapq
import json
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from tailorkit.core.models import User
from tailorkit.core.services import audit_record
from tailorkit.library.models import ContentPack, Item
from tailorkit.measures.models import Measure

from ...models import (
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
from ..timeline import KINDS as TIMELINE_KINDS
from ..timeline import history_querysets
from .format import (
    ALL_KINDS,
    CHANGED_KINDS,
    FORMAT,
    HISTORY_TYPES,
    KIND_OF_MODEL,
    KINDS,
    PROJECT_FIELDS,
    VERSION,
    m2m_history,
    ref_of,
)

# Rows fetched from the database at a time, and list items per chunk of the streamed text.
CHUNK = 500


def _iso(value):
    return value.isoformat() if value is not None else None


class _Lookups:
    """E-mail addresses of people and pack/code of library items, read once for the likely ones (the
    organisation's members, the project's packs) and one query per other one met (a former member),
    so the rows need not be read twice to gather their ids first."""

    def __init__(self, project):
        self.emails = dict(User.objects.filter(memberships__organisation=project.organisation_id)
                           .values_list("pk", "email"))
        self.emails.update(project.team.values_list("pk", "email"))
        self.items = {pk: {"pack": slug, "code": code} for pk, slug, code in Item.objects.filter(
            pack__in=[project.determinant_pack_id, project.strategy_pack_id]).values_list("pk", "pack__slug", "code")}
        self.packs = {project.determinant_pack_id: project.determinant_pack.slug,
                      project.strategy_pack_id: project.strategy_pack.slug}
        self.organisation_id, self.measures = project.organisation_id, None

    def measure(self, pk):
        """A measure by its name (it belongs to the organisation; the importing site matches the name)."""
        if self.measures is None:
            self.measures = dict(Measure.objects.filter(organisation=self.organisation_id).values_list("pk", "name"))
        return self.measures.get(pk)

    def email(self, pk):
        if pk is not None and pk not in self.emails:
            self.emails[pk] = User.objects.filter(pk=pk).values_list("email", flat=True).first()
        return self.emails.get(pk)

    def item(self, pk):
        if pk not in self.items:
            found = Item.objects.filter(pk=pk).values_list("pack__slug", "code").first()
            self.items[pk] = {"pack": found[0], "code": found[1]} if found else None
        return self.items[pk]

    def pack(self, pk):
        if pk not in self.packs:
            self.packs[pk] = ContentPack.objects.filter(pk=pk).values_list("slug", flat=True).first()
        return self.packs[pk]


def _serialise(model, obj, fields, lookups, linked=None):
    """A row as the file writes it. ``linked``: many-to-many field → the ids it links (read in batches
    by the caller); named people are not among the kinds, so they are never written."""
    out = {}
    for name in fields:
        f = model._meta.get_field(name)
        if isinstance(f, models.ManyToManyField):
            kind = KIND_OF_MODEL[f.related_model]
            out[name] = [ref_of(kind, pk) for pk in sorted((linked or {}).get(name, ()))]
            continue
        value = getattr(obj, f.attname)
        if model is EngagementChange and name == "object_id":
            out[name] = ref_of(CHANGED_KINDS[obj.kind], value)
        elif isinstance(f, models.ForeignKey):
            target = f.related_model
            if value is None:
                out[name] = None
            elif target is User:
                out[name] = lookups.email(value)
            elif target is Item:
                out[name] = lookups.item(value)
            elif target is ContentPack:
                out[name] = lookups.pack(value)
            elif target is Measure:
                out[name] = lookups.measure(value)
            else:
                out[name] = ref_of(KIND_OF_MODEL[target], value)
        elif isinstance(value, (datetime,)) or hasattr(value, "isoformat"):
            out[name] = _iso(value)
        elif isinstance(value, Decimal):
            out[name] = str(value)
        else:
            out[name] = value
    return out


def _live(project):
    """Kind → the queryset of the project's live rows of that kind, in the order of the file."""
    return {
        "goal": Goal.objects.filter(project=project).order_by("pk"),
        "barrier": Barrier.objects.filter(project=project).order_by("pk"),
        "barrier_rating": BarrierRating.objects.filter(barrier__project=project).order_by("pk"),
        "strategy_option": StrategyOption.objects.filter(project=project).order_by("pk"),
        "appraisal": Appraisal.objects.filter(option__project=project).order_by("pk"),
        "iteration": Iteration.objects.filter(project=project).order_by("number"),
        "focus": Focus.objects.filter(iteration__project=project).order_by("pk"),
        "specification": Specification.objects.filter(iteration__project=project).order_by("pk"),
        "task": Task.objects.filter(project=project).order_by("pk"),
        "success_criterion": SuccessCriterion.objects.filter(project=project).order_by("pk"),
        "review": Review.objects.filter(project=project).order_by("pk"),
        "judgement": Judgement.objects.filter(review__project=project).order_by("pk"),
        "decision": Decision.objects.filter(project=project).order_by("pk"),
        "effort": EffortEntry.objects.filter(project=project).order_by("pk"),
        # Stakeholder engagement, without the named people (personal data: see ``format``).
        "stakeholder_group": StakeholderGroup.objects.filter(project=project).order_by("pk"),
        "engagement_plan": EngagementPlan.objects.filter(project=project).order_by("pk"),
        "engagement_record": EngagementRecord.objects.filter(project=project).order_by("pk").prefetch_related(
            Prefetch("groups", queryset=StakeholderGroup.objects.only("pk"))),
        "engagement_change": EngagementChange.objects.filter(project=project).order_by("pk"),
    }


def _m2m_names(model, fields):
    return [name for name in fields if isinstance(model._meta.get_field(name), models.ManyToManyField)]


def _live_linked(obj, names):
    """Many-to-many field → ids, for a live row (its links were prefetched with the rows)."""
    return {name: [o.pk for o in getattr(obj, name).all()] for name in names}


def _with_history_links(model, fields, rows):
    """``(history row, {many-to-many field: ids})`` for the history rows of ``model``, reading the links
    kept beside them (simple-history's table for each such field) one query per CHUNK rows."""
    names = _m2m_names(model, fields)
    if not names:
        yield from ((h, None) for h in rows)
        return
    chunk = []
    for h in rows:
        chunk.append(h)
        if len(chunk) == CHUNK:
            yield from _history_links(model, names, chunk)
            chunk = []
    if chunk:
        yield from _history_links(model, names, chunk)


def _history_links(model, names, chunk):
    linked = {h.history_id: {name: [] for name in names} for h in chunk}
    for name in names:
        M, _own, other = m2m_history(model, name)
        for history_id, pk in (M.objects.filter(history_id__in=list(linked)).order_by()
                               .values_list("history_id", other)):
            linked[history_id][name].append(pk)
    return ((h, linked[h.history_id]) for h in chunk)


def _history(project, lookups):
    """Every history entry of the project, oldest first (ties: by kind, then history id), as file objects."""
    types = {v: k for k, v in HISTORY_TYPES.items()}
    by_kind = {KIND_OF_MODEL[TIMELINE_KINDS[tkind][0]]: qs for tkind, qs in history_querysets(project).items()}

    def entries(kind):
        _key, model, fields = ALL_KINDS[kind]
        rows = by_kind[kind].order_by("history_date", "history_id").iterator(chunk_size=CHUNK)
        for h, linked in _with_history_links(model, fields, rows):
            yield (h.history_date, kind, h.history_id), {
                "kind": kind, "ref": ref_of(kind, h.id), "type": types[h.history_type],
                "date": h.history_date.isoformat(), "user": lookups.email(h.history_user_id),
                "reason": h.history_change_reason or "", "data": _serialise(model, h, fields, lookups, linked)}

    for _order, entry in heapq.merge(*(entries(kind) for kind in ALL_KINDS), key=lambda e: e[0]):
        yield entry


def _parts(project):
    """``(key, value)`` of the file in order; the value of a list is an iterator of its objects."""
    lookups = _Lookups(project)
    team = sorted(lookups.email(pk) for pk in project.team.values_list("pk", flat=True))
    yield "format", FORMAT
    yield "version", VERSION
    yield "exported_at", timezone.now().isoformat()
    yield "project", {"ref": ref_of("project", project.pk), **_serialise(Project, project, PROJECT_FIELDS, lookups),
                      "team": team}
    for kind, qs in _live(project).items():
        key, model, fields = KINDS[kind]
        names = _m2m_names(model, fields)
        yield key, ({"ref": ref_of(kind, o.pk), **_serialise(model, o, fields, lookups, _live_linked(o, names))}
                    for o in qs.iterator(chunk_size=CHUNK))
    yield "history", _history(project, lookups)


def _start(project, user, request):
    project = Project.objects.select_related("determinant_pack", "strategy_pack").get(pk=project.pk)
    audit_record(action="project.exported", actor=user, organisation=project.organisation, target=project.name,
                 details={"format": "json", "project_id": project.pk}, request=request)
    return project


def project_export(*, project, user, request=None):
    """The whole project as a dict in the documented format (version 1). An audit event."""
    project = _start(project, user, request)
    return {key: value if isinstance(value, str | int | dict) else list(value) for key, value in _parts(project)}


def _dumps(value, indent):
    # The text ``json.dumps(file, ensure_ascii=False, indent=2)`` would write for a value nested at
    # ``indent`` (a newline inside a string is written as \n, so every real newline is layout).
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + " " * indent)


def project_export_stream(*, project, user, request=None):
    """The project file as an iterator of text chunks: the same text as ``json.dumps(project_export(...),
    ensure_ascii=False, indent=2)``, written as the rows are read. The audit event is recorded at once."""
    project = _start(project, user, request)
    return _json_chunks(_parts(project))


def _json_chunks(parts):
    yield "{"
    for i, (key, value) in enumerate(parts):
        head = ("," if i else "") + "\n  " + json.dumps(key) + ": "
        if isinstance(value, str | int | dict):
            yield head + _dumps(value, 2)
            continue
        buffer, count = [head + "["], 0
        for item in value:
            buffer.append(("," if count else "") + "\n    " + _dumps(item, 4))
            count += 1
            if count % CHUNK == 0:
                yield "".join(buffer)
                buffer = []
        buffer.append("\n  ]" if count else "]")
        yield "".join(buffer)
    yield "\n}"
