"""Export of a whole project with its history, in the project file format (``format.py``).

Every live row and every past version of every row (from the django-simple-history tables) goes
into the file, so the importing site gets the same record a research trial needs. An export is
recorded as an audit event.
"""

from datetime import datetime
from decimal import Decimal

from django.db import models
from django.utils import timezone

from tailorkit.core.models import User
from tailorkit.core.services import audit_record
from tailorkit.library.models import ContentPack, Item

from ...models import (
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
from ..timeline import KINDS as TIMELINE_KINDS
from ..timeline import history_querysets
from .format import ALL_KINDS, FORMAT, HISTORY_TYPES, KIND_OF_MODEL, KINDS, PROJECT_FIELDS, VERSION, ref_of


def _iso(value):
    return value.isoformat() if value is not None else None


class _Lookups:
    def __init__(self, user_ids, item_ids):
        self.emails = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "email"))
        self.items = {i.pk: {"pack": i.pack.slug, "code": i.code}
                      for i in Item.objects.filter(pk__in=item_ids).select_related("pack")}
        self.packs = {}


def _serialise(model, obj, fields, lookups):
    out = {}
    for name in fields:
        f = model._meta.get_field(name)
        value = getattr(obj, f.attname)
        if isinstance(f, models.ForeignKey):
            target = f.related_model
            if value is None:
                out[name] = None
            elif target is User:
                out[name] = lookups.emails.get(value)
            elif target is Item:
                out[name] = lookups.items.get(value)
            elif target is ContentPack:
                out[name] = lookups.packs.get(value)
            else:
                out[name] = ref_of(KIND_OF_MODEL[target], value)
        elif isinstance(value, (datetime,)) or hasattr(value, "isoformat"):
            out[name] = _iso(value)
        elif isinstance(value, Decimal):
            out[name] = str(value)
        else:
            out[name] = value
    return out


def _fk_ids(model, rows, fields, target):
    ids = set()
    for name in fields:
        f = model._meta.get_field(name)
        if isinstance(f, models.ForeignKey) and f.related_model is target:
            ids |= {getattr(r, f.attname) for r in rows}
    return ids - {None}


def project_export(*, project, user, request=None):
    """The whole project as a dict in the documented format (version 1). An audit event."""
    project = Project.objects.select_related("determinant_pack", "strategy_pack").get(pk=project.pk)
    live = {"project": [project]}
    live["goal"] = list(Goal.objects.filter(project=project).order_by("pk"))
    live["barrier"] = list(Barrier.objects.filter(project=project).order_by("pk"))
    live["barrier_rating"] = list(BarrierRating.objects.filter(barrier__project=project).order_by("pk"))
    live["strategy_option"] = list(StrategyOption.objects.filter(project=project).order_by("pk"))
    live["appraisal"] = list(Appraisal.objects.filter(option__project=project).order_by("pk"))
    live["iteration"] = list(Iteration.objects.filter(project=project).order_by("number"))
    live["focus"] = list(Focus.objects.filter(iteration__project=project).order_by("pk"))
    live["specification"] = list(Specification.objects.filter(iteration__project=project).order_by("pk"))
    live["task"] = list(Task.objects.filter(project=project).order_by("pk"))
    live["success_criterion"] = list(SuccessCriterion.objects.filter(project=project).order_by("pk"))
    live["review"] = list(Review.objects.filter(project=project).order_by("pk"))
    live["judgement"] = list(Judgement.objects.filter(review__project=project).order_by("pk"))
    live["decision"] = list(Decision.objects.filter(project=project).order_by("pk"))
    live["effort"] = list(EffortEntry.objects.filter(project=project).order_by("pk"))

    history = {}
    for tkind, qs in history_querysets(project).items():
        model = TIMELINE_KINDS[tkind][0]
        history[KIND_OF_MODEL[model]] = list(qs.order_by("history_date", "history_id"))

    user_ids = set(project.team.values_list("pk", flat=True))
    item_ids = set()
    for kind, (_key, model, fields) in ALL_KINDS.items():
        rows = live[kind] + history[kind]
        user_ids |= _fk_ids(model, rows, fields, User)
        user_ids |= {h.history_user_id for h in history[kind]} - {None}
        item_ids |= _fk_ids(model, rows, fields, Item)
    lookups = _Lookups(user_ids, item_ids)
    lookups.packs = {project.determinant_pack_id: project.determinant_pack.slug,
                     project.strategy_pack_id: project.strategy_pack.slug}

    data = {
        "format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat(),
        "project": {"ref": ref_of("project", project.pk), **_serialise(Project, project, PROJECT_FIELDS, lookups),
                    "team": sorted(lookups.emails[pk] for pk in project.team.values_list("pk", flat=True))},
    }
    for kind, (key, model, fields) in KINDS.items():
        data[key] = [{"ref": ref_of(kind, o.pk), **_serialise(model, o, fields, lookups)} for o in live[kind]]
    types = {v: k for k, v in HISTORY_TYPES.items()}
    entries = []
    for kind, (_key, model, fields) in ALL_KINDS.items():
        for h in history[kind]:
            entries.append((h.history_date, kind, h.history_id, {
                "kind": kind, "ref": ref_of(kind, h.id), "type": types[h.history_type],
                "date": h.history_date.isoformat(), "user": lookups.emails.get(h.history_user_id),
                "reason": h.history_change_reason or "", "data": _serialise(model, h, fields, lookups)}))
    entries.sort(key=lambda e: e[:3])
    data["history"] = [e[3] for e in entries]
    audit_record(action="project.exported", actor=user, organisation=project.organisation, target=project.name,
                 details={"format": "json", "project_id": project.pk}, request=request)
    return data
