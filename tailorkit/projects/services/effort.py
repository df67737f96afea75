"""Effort (issue 3, point 9): team members log the time they spent; totals by person and by step."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.permissions import can

from .. import steps
from ..models import EffortEntry, Step
from .projects import project_touch

MAX_MINUTES = 24 * 60


@transaction.atomic
def effort_log(*, project, user, date, minutes, activity, step):
    if not can(user, "edit", project):
        raise PermissionDenied
    errors = {}
    activity = (activity or "").strip()
    if not activity:
        errors["activity"] = _("Say briefly what you did.")
    elif len(activity) > 300:
        errors["activity"] = _("Keep it under 300 characters.")
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        errors["minutes"] = _("Enter a whole number of minutes.")
    else:
        if not 1 <= minutes <= MAX_MINUTES:
            errors["minutes"] = _("Enter between 1 and %(max)d minutes (a whole day).") % {"max": MAX_MINUTES}
    if step not in Step.values:
        errors["step"] = _("Choose a step of the cycle.")
    if date is None:
        errors["date"] = _("Enter the date.")
    elif date > timezone.localdate():
        errors["date"] = _("You cannot log time for a day that has not come yet.")
    if errors:
        raise ValidationError(errors)
    entry = EffortEntry(organisation=project.organisation, project=project, user=user, date=date,
                        minutes=minutes, activity=activity, step=step)
    entry.full_clean()
    entry.save()
    project_touch(project)
    return entry


@transaction.atomic
def effort_delete(*, entry, user):
    """People delete only their own entries (the history keeps the deleted row)."""
    if entry.user_id != user.pk:
        raise ValidationError(_("You can only delete your own entries."))
    project = entry.project
    entry.delete()
    project_touch(project)


def effort_totals(project):
    """(by person, by step, total minutes): lists of dicts with ``label`` and ``minutes``."""
    qs = EffortEntry.objects.filter(project=project)
    people = qs.values("user__name", "user__email").annotate(m=Sum("minutes")).order_by("-m", "user__email")
    by_person = [{"label": row["user__name"] or row["user__email"], "minutes": row["m"]} for row in people]
    step_rows = {row["step"]: row["m"] for row in qs.values("step").annotate(m=Sum("minutes")).order_by()}
    by_step = [{"label": str(s.label), "minutes": step_rows[s.code]} for s in steps.STEPS if s.code in step_rows]
    return by_person, by_step, sum(step_rows.values())
