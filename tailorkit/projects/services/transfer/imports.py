"""Import of a project file (``format.py``) into an organisation: the whole file is checked
before anything is written, and everything is written in one transaction.

Imported history becomes real django-simple-history rows with their original dates (and authors,
when they are members of the importing organisation), so the timeline and "as it was on a date"
work on an imported project exactly as on the original. Rows that were deleted before the export
exist only in ``history``; they get negative ids in the history tables so they can never collide
with a live row of this site.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.models import User
from tailorkit.core.permissions import can
from tailorkit.core.services import audit_record
from tailorkit.library.models import ContentPack, Item
from tailorkit.measures.models import Measure

from ...models import EngagementChange, Project
from ..projects import team_candidates
from .format import ALL_KINDS, CHANGED_KINDS, KIND_OF_MODEL, KINDS, STAMPS, m2m_history, parse_file, validate_file


@dataclass
class ImportResult:
    project: Project
    notes: list = field(default_factory=list)


def project_import(*, organisation, user, data, request=None):
    """Create a project in ``organisation`` from an export, at once. Raises ValidationError with a list of
    messages ("<json path>: <problem>") and writes nothing when anything is wrong. The import page
    queues files for the background worker instead (``queued.py``); both end in
    ``project_create_from_file``."""
    if not can(user, "edit", organisation):
        raise PermissionDenied
    checked = validate_file(parse_file(data), organisation)
    return project_create_from_file(organisation=organisation, user=user, checked=checked, request=request)


@transaction.atomic
def project_create_from_file(*, organisation, user, checked, request=None):
    """Write a file that ``validate_file`` accepted (its result is ``checked``) as a new project, in one
    transaction. The checks are made before (and outside) the transaction, so that it only writes."""
    if not can(user, "edit", organisation):
        raise PermissionDenied
    checker, p, rows, history = checked
    notes = list(getattr(checker, "notes", []))

    members = {u.email.lower(): u for u in User.objects.filter(memberships__organisation=organisation)}
    editors = set(team_candidates(organisation).values_list("pk", flat=True))
    replaced = set()

    def person(email):
        if email is None:
            return None
        found = members.get(email)
        if found is None:
            replaced.add(email)
            return user
        return found

    team = {person(e) for e in p["team"]}
    team = {u for u in team if u.pk in editors} | {user}
    owner = person(p.get("owner"))
    if owner not in team:
        owner = user
    try:
        with transaction.atomic():
            project = _create_all(organisation, user, checker, p, rows, history, team, owner, person, members,
                                  notes)
    except IntegrityError as exc:
        raise ValidationError([_("the file is consistent but could not be stored: %(err)s") % {"err": exc}]) from None
    if replaced:
        notes.insert(0, _("%(n)d people are not members of %(org)s; their work is now attributed to you: "
                          "%(emails)s.") % {"n": len(replaced), "org": organisation.name,
                                            "emails": ", ".join(sorted(replaced))})
    audit_record(action="project.imported", actor=user, organisation=organisation, target=project.name,
                 details={"project_id": project.pk, "history_rows": len(history)}, request=request)
    return ImportResult(project=project, notes=notes)


IMPORT_REASON = "Imported from a Tailorkit export"
# The path from a row without its own ``project`` to its project.
SCOPE = {"barrier_rating": "barrier__project", "appraisal": "option__project", "focus": "iteration__project",
         "specification": "iteration__project", "judgement": "review__project"}
# Rows per INSERT: well under SQLite's limit of 32,766 parameters for the widest model
# (Specification, 26 columns) and small enough for PostgreSQL's statement size.
BATCH = 500


def _create_all(organisation, user, checker, p, rows, history, team, owner, person, members, notes):
    """The project and its live rows, each with its "imported" history entry by ``user``.

    Rows are inserted kind by kind with ``bulk_create`` (one statement per ``BATCH`` rows instead of
    an INSERT, a history INSERT and a query per foreign key for every row: 31 s on SQLite and 65–90 s
    on PostgreSQL for the 20,000 rows of the file in docs/performance.md, now 5–8 s). Each kind only
    points at kinds created before it (``KINDS`` order), so the new ids are known when they are needed."""
    now = timezone.now()
    project = Project(organisation=organisation, name=p["name"], service=p["service"], owner=owner,
                      determinant_pack=checker.packs["determinant"], strategy_pack=checker.packs["strategy"],
                      step=p.get("step") or Project.step.field.default, status=p.get("status") or "active")
    for name in ("started_on", "last_activity_at"):
        if p.get(name):
            setattr(project, name, p[name])
    project._change_reason = IMPORT_REASON
    project._history_user = user  # the worker has no request for django-simple-history to take it from
    project.full_clean()
    project.save()
    project.team.set(team)
    if p.get("created_at"):
        Project.objects.filter(pk=project.pk).update(created_at=p["created_at"])
        Project.history.filter(id=project.pk, history_change_reason=IMPORT_REASON).update(created_at=p["created_at"])
    new_ids = {"project": {p_ref: project.pk for p_ref in checker.refs["project"]}}
    rated = set()
    for kind, (_key, model, _fields) in KINDS.items():
        new_ids[kind] = {}
        owned = any(f.name == "project" for f in model._meta.fields)
        # The checks (``validate_file``) proved every reference: a row of this file, a library item
        # of the project's packs or a person (a member, or the importer). Django's own check of a
        # foreign key is one query per key and row, so full_clean leaves the keys out.
        keys = [f for f in model._meta.fields if isinstance(f, models.ForeignKey)]
        objs, refs, stamped, links = [], [], [], []
        for path, ref, values in rows[kind]:
            obj = model(organisation=organisation)
            if owned:
                obj.project = project
            linked = {}
            for name, value in values.items():
                f = model._meta.get_field(name)
                if name in STAMPS:
                    continue
                if isinstance(f, models.ManyToManyField):   # written once the rows have their ids
                    linked[name] = [new_ids[KIND_OF_MODEL[f.related_model]][r] for r in value]
                    continue
                if model is EngagementChange and name == "object_id":
                    value = _changed_id(new_ids, values)
                elif isinstance(f, models.ForeignKey) and f.related_model is User:
                    value = person(value)
                    if name == "owner" and value is not None and value not in team:
                        value = user
                elif isinstance(f, models.ForeignKey) and f.related_model not in (Item, Measure):
                    value = new_ids[KIND_OF_MODEL[f.related_model]].get(value) if value else None
                    name = f.attname
                setattr(obj, name, value)
            if kind == "barrier_rating":
                if (obj.barrier_id, obj.rated_by_id) in rated:
                    notes.append(_("%(path)s was left out: it would be a second rating of the same barrier by "
                                   "you.") % {"path": path})
                    continue
                rated.add((obj.barrier_id, obj.rated_by_id))
            # Nullable links left empty are allowed here even where forms would require them.
            empty = [f.name for f in model._meta.fields if f.null and getattr(obj, f.attname) is None]
            try:
                obj.full_clean(exclude=[*empty, *(f.name for f in keys)], validate_unique=False,
                               validate_constraints=False)
            except ValidationError as exc:
                raise ValidationError([f"{path}.{name}: {m}" for name, ms in exc.message_dict.items()
                                       for m in ms]) from None
            missing = [f.name for f in keys if not f.null and getattr(obj, f.attname) is None]
            if missing:  # what full_clean would have said of a key left empty
                raise ValidationError([f"{path}.{name}: " + _("is required") for name in missing])
            objs.append(obj)
            refs.append(ref)
            stamped.append({n: values[n] for n in STAMPS if values.get(n)})
            links.append(linked)
        model.objects.bulk_create(objs, batch_size=BATCH)
        through = _link(model, objs, links)
        new_ids[kind] = {ref: obj.pk for ref, obj in zip(refs, objs, strict=True)}
        # auto_now / auto_now_add wrote the moment of the insert. The "imported" history entries are
        # made from the instances, with the original times put back; the rows then take their
        # times from those entries in one UPDATE (``bulk_update`` took 4 s for 6,000 goals).
        restored = set()
        for obj, kept in zip(objs, stamped, strict=True):
            for name, value in kept.items():
                setattr(obj, name, value)
                restored.add(name)
        made = model.history.bulk_history_create(objs, batch_size=BATCH, default_user=user,
                                                 default_change_reason=IMPORT_REASON, default_date=now)
        _link_history(model, made, through)
        if restored:
            imported = model.history.model.objects.filter(id=OuterRef("pk"), history_change_reason=IMPORT_REASON)
            model.objects.filter(**{SCOPE.get(kind, "project"): project}).update(
                **{name: Subquery(imported.values(name)[:1]) for name in restored})
    _create_history(organisation, project, history, new_ids, person, members)
    return project


def _changed_id(new_ids, values):
    """The new id of what an engagement change points at; 0 (nothing) for an object deleted before the
    export: its history rows get negative ids, which the column (a positive number) cannot hold. The
    change keeps the object's name in its label."""
    kind = CHANGED_KINDS.get(values.get("kind"))
    return new_ids[kind].get(values.get("object_id"), 0) if kind else 0


def _link(model, objs, links):
    """Write the many-to-many links of the rows just inserted (a record's groups): one INSERT per
    ``BATCH`` links. → {field: {row id: [(link id, other id)]}}, for their "imported" history."""
    written = {}
    for name in {name for linked in links for name in linked}:
        f = model._meta.get_field(name)
        through, own, other = f.remote_field.through, f.m2m_column_name(), f.m2m_reverse_name()
        rows = through.objects.bulk_create(
            [through(**{own: obj.pk, other: pk}) for obj, linked in zip(objs, links, strict=True)
             for pk in linked.get(name, ())], batch_size=BATCH)
        for row in rows:
            written.setdefault(name, {}).setdefault(getattr(row, own), []).append((row.pk, getattr(row, other)))
    return written


def _link_history(model, made, through):
    """The links of each row beside its "imported" history entry, as simple-history keeps them."""
    for name, by_row in through.items():
        M, own, other = m2m_history(model, name)
        M.objects.bulk_create([M(history_id=h.history_id, id=link_id, **{own: h.id, other: pk})
                               for h in made or () for link_id, pk in by_row.get(h.id, ())], batch_size=BATCH)


def _create_history(organisation, project, history, new_ids, person, members):
    lowest = {}
    negative = {}

    def history_id(kind, model, ref):
        if ref in new_ids[kind]:
            return new_ids[kind][ref]
        # A row deleted before the export: give it an id no live row can ever have.
        key = (kind, ref)
        if key not in negative:
            if model not in lowest:
                lowest[model] = min(model.history.model.objects.aggregate(m=Min("id"))["m"] or 0, 0)
            lowest[model] -= 1
            negative[key] = lowest[model]
        return negative[key]

    # ``model.history`` builds a new manager class on every access (django-simple-history), which
    # cost more than the rows themselves; look each one up once.
    history_models = {kind: model.history.model for kind, (_key, model, _fields) in ALL_KINDS.items()}
    owned = {kind: kind != "project" and any(f.name == "project" for f in model._meta.fields)
             for kind, (_key, model, _fields) in ALL_KINDS.items()}
    batches, links = {}, []
    for kind, ref, htype, when, who, reason, values in history:
        model = ALL_KINDS[kind][1]
        H = history_models[kind]
        row = H(history_type=htype, history_date=when, history_change_reason=reason[:100],
                organisation_id=organisation.pk, id=history_id(kind, model, ref))
        # Authors who are not members here stay anonymous; their address is kept in the reason.
        row.history_user = members.get(who) if who else None
        if who and row.history_user is None:
            row.history_change_reason = (f"{reason} (by {who})" if reason else f"by {who}")[:100]
        for name in STAMPS:
            if hasattr(row, name):
                setattr(row, name, when)
        if owned[kind]:
            row.project_id = project.pk
        for name, value in values.items():
            f = model._meta.get_field(name)
            if isinstance(f, models.ManyToManyField):   # written beside the row once it has its id
                tkind = KIND_OF_MODEL[f.related_model]
                links.append((row, model, name, [history_id(tkind, f.related_model, r) for r in value]))
            elif model is EngagementChange and name == "object_id":
                row.object_id = _changed_id(new_ids, values)
            elif isinstance(f, models.ForeignKey):
                target = f.related_model
                if target is User:
                    value = person(value).pk if value else None
                elif target in (Item, Measure):
                    value = value.pk if value else None
                elif target is ContentPack:
                    value = (project.determinant_pack_id if name == "determinant_pack" else project.strategy_pack_id)
                elif value:
                    tkind = KIND_OF_MODEL[target]
                    value = history_id(tkind, target, value)
                setattr(row, f.attname, value)
            else:
                setattr(row, name, value)
        if kind == "project":
            row.id = project.pk
            row.organisation_id = organisation.pk
        batches.setdefault(H, []).append(row)
    for H, batch in batches.items():
        H.objects.bulk_create(batch, batch_size=BATCH)
    by_model = {}
    for row, model, name, pks in links:   # the link's own id is not in the file: 0
        M, own, other = m2m_history(model, name)
        by_model.setdefault(M, []).extend(M(history_id=row.history_id, id=0, **{own: row.id, other: pk}) for pk in pks)
    for M, batch in by_model.items():
        M.objects.bulk_create(batch, batch_size=BATCH)

