"""The measures a project relies on (issue 13): linking and unlinking a measure of the organisation.
Tying a success criterion to a measure is part of the criterion (``services/planning.py``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.measures.models import Measure

from ..models import ProjectMeasure
from .projects import project_touch


def check_measure(project, measure, field="measure"):
    """``measure`` (a Measure, its id or None) as a Measure of the project's organisation, or
    ``ValidationError`` keyed by ``field``: a measure of another organisation is refused as if it
    did not exist."""
    if measure is None or measure == "":
        return None
    pk = getattr(measure, "pk", measure)
    found = Measure.objects.filter(pk=pk, organisation_id=project.organisation_id).first()
    if found is None:
        raise ValidationError({field: _("Choose one of your organisation's measures.")})
    return found


@transaction.atomic
def project_measure_link(*, project, user, measure):
    measure = check_measure(project, measure)
    if measure is None:
        raise ValidationError({"measure": _("Choose a measure.")})
    if ProjectMeasure.objects.filter(project=project, measure=measure).exists():
        raise ValidationError({"measure": _("The project relies on this measure already.")})
    link = ProjectMeasure(organisation=project.organisation, project=project, measure=measure, created_by=user)
    link._history_user = user
    link.save()
    project_touch(project)
    return link


@transaction.atomic
def project_measure_unlink(*, link, user):
    """Stop relying on a measure. The measure and its values stay; success criteria tied to it keep
    their tie (unlink them in step 3)."""
    project = link.project
    link._history_user = user
    link.delete()
    project_touch(project)
