"""Staff pages for the results of a consultation and the downloads of its responses."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tailorkit.core import errors
from tailorkit.core.permissions import can, get_object_for_user_or_404

from .. import subjects
from ..models import Consultation
from ..services import instruments, results, rounds

EXPORTS = {
    "responses.csv": (results.export_responses_csv, "text/csv; charset=utf-8"),
    "codebook.csv": (results.export_codebook_csv, "text/csv; charset=utf-8"),
    "responses.xlsx": (results.export_responses_xlsx,
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def consultation_for_results(request, org_slug, consultation_id, action="view"):
    """The consultation with what its results pages read of it, if the user may do ``action``."""
    return get_object_for_user_or_404(
        request.user, Consultation.objects.select_related("questionnaire", "organisation", "previous_round"),
        org_slug=org_slug, action=action, uuid=consultation_id)


@login_required
def results_page(request, org_slug, consultation_id):
    consultation = consultation_for_results(request, org_slug, consultation_id)
    org = consultation.organisation
    return render(request, "consultations/results/results.html", {
        "org": org, "consultation": consultation, "results": results.consultation_results(consultation),
        "scores": instruments.instrument_scores(consultation), "rounds": rounds.rounds_of(consultation),
        "can_edit": can(request.user, "edit", org),
        "back_url": reverse("consultations:consultation_detail", args=[org.slug, consultation.uuid]),
        "subject": subjects.subject_link(consultation),
    })


@login_required
def export(request, org_slug, consultation_id, fmt):
    if fmt not in EXPORTS:
        raise Http404
    consultation = consultation_for_results(request, org_slug, consultation_id, "edit")
    build, content_type = EXPORTS[fmt]
    try:
        data = build(consultation=consultation, actor=request.user, request=request)
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect("consultations:consultation_results", org_slug=consultation.organisation.slug,
                        consultation_id=consultation.uuid)
    response = HttpResponse(data, content_type=content_type)
    name = f"consultation-{str(consultation.uuid)[:8]}-{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
