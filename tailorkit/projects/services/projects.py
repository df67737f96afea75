from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned
from tailorkit.core.models import Membership, Role
from tailorkit.core.services import audit_record

from ..models import Iteration, Project

EDITING_ROLES = {Role.LEAD, Role.MEMBER}


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
    project.status = Project.Status.ARCHIVED
    project.save(update_fields=["status"])
    audit_record(action="project.archived", actor=user, organisation=project.organisation, target=project.name,
                 request=request)
    return project


@transaction.atomic
def project_restore(*, project, user, request=None):
    if project.status != Project.Status.ARCHIVED:
        raise ValidationError(_("Only an archived project can be restored."))
    project.status = Project.Status.ACTIVE
    project.last_activity_at = timezone.now()
    project.save(update_fields=["status", "last_activity_at"])
    audit_record(action="project.restored", actor=user, organisation=project.organisation, target=project.name,
                 request=request)
    return project


def is_team_member(project, user):
    return project.team.filter(pk=user.pk).exists() or Membership.objects.filter(
        organisation=project.organisation, user=user, role=Role.LEAD).exists()
