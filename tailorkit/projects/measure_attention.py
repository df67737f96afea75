"""What the overview of measures should flag from the projects' side (issue 13): a success criterion
tied to a measure whose date has passed and that the team has not judged yet.

Registered with ``measures.attention`` in ``ProjectsConfig.ready()``: the engine shows it without
importing projects. One query for all the measures of the overview page, whatever their number.
"""

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from tailorkit.measures.attention import CRITERION, Attention

from .models import Judgement, Project, SuccessCriterion


def criteria_past_due(organisation, measures, *, today):
    """An ``Attention`` for each criterion of an active project, tied to one of ``measures``, whose
    target date is before ``today`` and which no review has judged."""
    judged = Judgement.objects.filter(organisation=organisation).values("criterion_id")
    criteria = (SuccessCriterion.objects
                .filter(organisation=organisation, measure__in=[m.pk for m in measures], target_date__lt=today,
                        project__status=Project.Status.ACTIVE)
                .exclude(pk__in=judged).select_related("project").order_by("target_date", "id"))
    for criterion in criteria:
        project = criterion.project
        yield Attention(
            measure_id=criterion.measure_id, kind=CRITERION,
            url=reverse("projects:project_step_review", args=[organisation.slug, project.pk]),
            words=_("The date of “%(criterion)s” (%(project)s) passed on %(date)s: judge it in the review.") % {
                "criterion": criterion.description[:80], "project": project.name,
                "date": formats.date_format(criterion.target_date, "j M Y")})
