from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.locking import StaleEdit, apply_versioned
from tailorkit.core.models import Membership, Role
from tailorkit.core.services import audit_record

from ..models import Decision, Iteration, Project, Step

EDITING_ROLES = {Role.LEAD, Role.MEMBER}

# A cycle ends with a decision to stop: the status it gives the project (see project_close).
CLOSING = {Decision.Kind.SUCCESS: Project.Status.COMPLETED, Decision.Kind.STOP_OTHER: Project.Status.STOPPED}
CLOSED = set(CLOSING.values())
# The reason for reopening is kept as the reason of the project's history entry (a column of 100).
REOPEN_REASON_MAX = 100


def team_candidates(organisation):
    """People who can be on a project team: leads and core members of the organisation."""
    from tailorkit.core.models import User

    return User.objects.filter(memberships__organisation=organisation,
                               memberships__role__in=EDITING_ROLES).distinct().order_by("name", "email")


def _check_packs(determinant_pack, strategy_pack):
    errors = {}
    if determinant_pack.kind not in {"determinants", "framework"}:
        errors["determinant_pack"] = _("Choose a list of determinants or a framework.")
    if strategy_pack.kind != "strategies":
        errors["strategy_pack"] = _("Choose a strategy catalogue.")
    if errors:
        raise ValidationError(errors)


def _check_team(organisation, team):
    allowed = set(team_candidates(organisation).values_list("pk", flat=True))
    outsiders = [u for u in team if u.pk not in allowed]
    if outsiders:
        raise ValidationError({"team": _("%(names)s cannot be on the team: only leads and core team members of "
                                         "this organisation can.") % {"names": ", ".join(map(str, outsiders))}})


def project_touch(project):
    Project.objects.filter(pk=project.pk).update(last_activity_at=timezone.now())


@transaction.atomic
def project_create(*, organisation, user, name, service, determinant_pack, strategy_pack, team=(),
                   started_on=None):
    _check_packs(determinant_pack, strategy_pack)
    team = set(team) | {user}
    _check_team(organisation, team)
    project = Project(organisation=organisation, name=name.strip(), service=service.strip(), owner=user,
                      determinant_pack=determinant_pack, strategy_pack=strategy_pack)
    if started_on:
        project.started_on = started_on
    project.full_clean()
    project.save()
    project.team.set(team)
    Iteration.objects.create(organisation=organisation, project=project, number=1)
    return project


@transaction.atomic
def project_update(*, project, user, version, name, service, team, started_on=None):
    _check_team(project.organisation, set(team))
    changes = {"name": name.strip(), "service": service.strip()}
    if started_on:
        changes["started_on"] = started_on
    project = apply_versioned(Project, pk=project.pk, expected_version=version, changes=changes,
                              extra={"last_activity_at": timezone.now()})
    project.team.set(set(team) | {project.owner})
    return project


@transaction.atomic
def project_set_step(*, project, user, step):
    project.step = step
    project.last_activity_at = timezone.now()
    project.save(update_fields=["step", "last_activity_at"])
    return project


@transaction.atomic
def project_archive(*, project, user, request=None):
    if project.status == Project.Status.ARCHIVED:
        raise ValidationError(_("This project is already archived."))
    previous = project.status
    project.status = Project.Status.ARCHIVED
    project._history_user = user
    project.save(update_fields=["status"])
    audit_record(action="project.archived", actor=user, organisation=project.organisation, target=project.name,
                 details={"previous_status": previous}, request=request)
    return project


def _status_before_archiving(project):
    """The status an archived project returns to: the last status it had before it was archived
    (from its history), unless the team decided to stop after that, while it was archived (or
    the project came from a file and has no earlier history): then the status that decision gives.
    So a completed project that was archived is completed again when restored."""
    before = (project.history.exclude(status=Project.Status.ARCHIVED)
              .order_by("-history_date", "-history_id").values("status", "history_date").first())
    iteration = project.iterations.order_by("-number").first()
    last = (Decision.objects.filter(iteration=iteration).order_by("-decided_at", "-pk")
            .values("kind", "decided_at").first()) if iteration else None
    if last and last["kind"] in CLOSING and (before is None or last["decided_at"] > before["history_date"]):
        return CLOSING[last["kind"]]
    return before["status"] if before else Project.Status.ACTIVE


@transaction.atomic
def project_restore(*, project, user, request=None):
    if project.status != Project.Status.ARCHIVED:
        raise ValidationError(_("Only an archived project can be restored."))
    project.status = _status_before_archiving(project)
    project.last_activity_at = timezone.now()
    project._history_user = user
    project.save(update_fields=["status", "last_activity_at"])
    audit_record(action="project.restored", actor=user, organisation=project.organisation, target=project.name,
                 details={"status": project.status}, request=request)
    return project


@transaction.atomic
def project_close(*, project, user, kind):
    """The decision ``kind`` (a stop) ends the cycle: the project becomes completed or stopped. An
    archived project stays archived; restoring it brings the new status back (see above)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == Project.Status.ARCHIVED:
        return project
    project.status = CLOSING[kind]
    project.version += 1
    project.last_activity_at = timezone.now()
    project._history_user = user
    project.save(update_fields=["status", "version", "last_activity_at"])
    return project


@transaction.atomic
def project_reopen(*, project, user, reason="", version=None, request=None):
    """Open a completed or stopped project again: active, at step 4 of the same iteration, so the
    team can review again and decide anew (continue, go back, or stop once more). Nothing recorded
    is changed. ``version``, when given, must be the project's version (a form that was open while
    someone else reopened or edited the project is refused). The optional reason goes into the
    project's history (the timeline) and the audit log."""
    reason = (reason or "").strip()
    if len(reason) > REOPEN_REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason to %(n)d characters.") % {"n": REOPEN_REASON_MAX}})
    changes = {"status": Project.Status.ACTIVE, "step": Step.REVIEW}
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status not in CLOSED:
        raise ValidationError(_("Only a completed or stopped project can be reopened."))
    if version is not None and int(version) != locked.version:
        raise StaleEdit(current=locked, submitted=changes)
    previous = locked.status
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.last_activity_at = timezone.now()
    locked._history_user = user
    locked._change_reason = reason or None
    locked.save()
    audit_record(action="project.reopened", actor=user, organisation=locked.organisation, target=locked.name,
                 details={"previous_status": previous, "reason": reason}, request=request)
    return locked


def is_team_member(project, user):
    return project.team.filter(pk=user.pk).exists() or Membership.objects.filter(
        organisation=project.organisation, user=user, role=Role.LEAD).exists()
