"""Staff pages for the validated instruments: making a questionnaire from one, and (instance
administrators only) importing their official wording."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tailorkit.core import errors
from tailorkit.core.permissions import can, get_organisation_or_404

from ..services import instruments


@login_required
def instrument_list(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    can_edit = can(request.user, "edit", org)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            questionnaire = instruments.instrument_questionnaire_create(
                organisation=org, actor=request.user, instrument=request.POST.get("instrument", ""),
                title=request.POST.get("title", "")[:200])
        except ValidationError as exc:
            errors.flash(request, exc)
            return redirect("consultations:consultation_instruments", org_slug=org.slug)
        messages.success(request, _("“%(title)s” is ready as a questionnaire.") % {"title": questionnaire.title})
        return redirect("consultations:questionnaire_detail", org_slug=org.slug, questionnaire_id=questionnaire.pk)
    return render(request, "consultations/results/instruments.html", {
        "org": org, "catalogue": instruments.instrument_catalogue(org.language), "can_edit": can_edit,
        "is_staff": request.user.is_staff})


@login_required
def wording_import(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    if not request.user.is_staff:
        raise PermissionDenied  # instance administrators only: the wording is shared by every organisation
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose a CSV or YAML file to upload.")]
        else:
            try:
                count = instruments.instrument_wording_import(file=upload, actor=request.user, request=request)
            except ValidationError as exc:
                problems = exc.messages
            else:
                messages.success(request, ngettext("Official wording imported for %(n)s item.",
                                                   "Official wording imported for %(n)s items.", count) % {"n": count})
                return redirect("consultations:consultation_instruments", org_slug=org.slug)
    return render(request, "consultations/results/wording_import.html", {
        "org": org, "errors": problems, "codes": instruments.item_codes_by_name(),
    }, status=400 if problems else 200)
