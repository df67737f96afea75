"""Staff page that starts the next consensus round of a consultation."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from tailorkit.core import errors

from ..services import rounds
from .results import consultation_for_results


@login_required
def round_create(request, org_slug, consultation_id):
    consultation = consultation_for_results(request, org_slug, consultation_id, "edit")
    if request.method != "POST":  # after the lookup, so an outsider gets 404 rather than 405
        return HttpResponseNotAllowed(["POST"])
    try:
        new, token = rounds.round_create_next(
            consultation=consultation, actor=request.user, title=request.POST.get("title", "")[:200],
            drop_consensus_items=request.POST.get("drop_consensus_items") == "1", request=request)
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect("consultations:consultation_results", org_slug=org_slug, consultation_id=consultation.uuid)
    # An open-link round's link is shown once: only its hash is kept.
    link = request.build_absolute_uri(reverse("consultations:consultation_open_link", args=[token])) if token else ""
    return render(request, "consultations/results/round_created.html", {
        "org": consultation.organisation, "consultation": new, "previous": consultation, "link": link,
        "detail_url": reverse("consultations:consultation_detail", args=[org_slug, new.uuid]),
    })
