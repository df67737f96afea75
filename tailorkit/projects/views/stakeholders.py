"""The "Ask stakeholders" button of the project step pages and the panels that list a step's
consultations (issue 4, point 2), with the stakeholders' figures that flow back into the steps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.consultations.models import Consultation, ConsultationTemplate
from tailorkit.core import errors
from tailorkit.core.permissions import can

from .. import stakeholders, steps
from ..access import get_project_or_404
from ..selectors import engagement as engagement_reads


def _status(consultation):
    if consultation.is_closed():
        return _("Closed")
    return _("Open") if consultation.is_open() else _("Not open yet")


def step_panel(*, request, project, step, iteration=None):
    """What a step page needs for its "Ask stakeholders" section, or None for steps without one.
    ``not_ready`` says why the button is off when the step has nothing to ask about yet (about the
    current ``iteration``, which the button asks about)."""
    template = steps.get(step).consultation_template
    if template is None:
        return None
    slug = project.organisation.slug
    can_ask = can(request.user, "edit", project)
    rows = [
        {
            "title": c.title,
            "status": _status(c),
            "responses": c.n_responses,
            "url": reverse("consultations:consultation_detail", args=[slug, c.uuid]),
            "results_url": reverse("consultations:consultation_results", args=[slug, c.uuid]),
        }
        for c in stakeholders.consultations_for(project, template)
    ]
    return {
        "template": template,
        "label": ConsultationTemplate(template).label,
        "consultations": rows,
        "can_ask": can_ask,
        "not_ready": stakeholders.nothing_to_ask(project, iteration or project.current_iteration, template)
        if can_ask else None,
        "min_group_size": Consultation._meta.get_field("min_group_size").default,
        "ask_url": reverse("projects:project_consultation_create", args=[slug, project.pk, template]),
        # Whom the team planned to involve in this step, and the groups not heard yet (issue 17).
        "engagement": engagement_reads.step_summary(project, iteration or project.current_iteration, step),
        "step": step,
    }


def _with_url(figures, project):
    if figures is not None:
        figures["url"] = reverse(
            "consultations:consultation_results", args=[project.organisation.slug, figures["uuid"]]
        )
    return figures


def barrier_figures(*, project):
    return _with_url(stakeholders.stakeholder_barrier_figures(project), project)


def apease_figures(*, project, options=None):
    return _with_url(stakeholders.stakeholder_apease_figures(project), project)


@login_required
def consultation_from_step(request, org_slug, project_id, step_template):
    """POST: make the step's consultation and go to its invitation page."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    step = steps.for_template(step_template)
    if step is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    step_url = reverse(step.url_name, args=[project.organisation.slug, project.pk])
    try:
        consultation = stakeholders.consultation_from_step(
            project=project,
            iteration=project.current_iteration,
            template=step_template,
            user=request.user,
            request=request,
        )
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect(step_url + "#stakeholders")
    messages.success(
        request,
        _("Consultation “%(title)s” created. Invite people below; you can check its settings and questions first.")
        % {"title": consultation.title},
    )
    return redirect(
        "consultations:consultation_invite", org_slug=project.organisation.slug, consultation_id=consultation.uuid
    )
