"""Views for results, exports, consensus rounds and instruments (part B). Thin: fetch through the
permission layer, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tailorkit.core.permissions import can, get_organisation_or_404

from . import exports, instruments, rounds
from .models import Consultation
from .results import consultation_results

EXPORTS = {
    "responses.csv": (exports.export_responses_csv, "text/csv; charset=utf-8"),
    "codebook.csv": (exports.export_codebook_csv, "text/csv; charset=utf-8"),
    "responses.xlsx": (exports.export_responses_xlsx,
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _consultation_or_404(user, org_slug, consultation_uuid, action="view"):
    org = get_organisation_or_404(user, org_slug, action)
    return get_object_or_404(Consultation.objects.select_related("questionnaire", "organisation", "previous_round"),
                             organisation=org, uuid=consultation_uuid)


def _errors(exc):
    return exc.messages if hasattr(exc, "messages") else [str(exc)]


def _reverse_or(name, args, fallback):
    """A page of part A's if it exists, else ours (the two halves were built side by side)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


@login_required
def results(request, org_slug, consultation_uuid):
    consultation = _consultation_or_404(request.user, org_slug, consultation_uuid)
    org = consultation.organisation
    return render(request, "consultations/results/results.html", {
        "org": org, "consultation": consultation, "results": consultation_results(consultation),
        "scores": instruments.instrument_scores(consultation), "rounds": rounds.rounds_of(consultation),
        "can_edit": can(request.user, "edit", org),
        "back_url": _reverse_or("consultations:consultation_detail", [org.slug, consultation.uuid], ""),
    })


@login_required
def export(request, org_slug, consultation_uuid, fmt):
    if fmt not in EXPORTS:
        raise Http404
    consultation = _consultation_or_404(request.user, org_slug, consultation_uuid, "edit")
    build, content_type = EXPORTS[fmt]
    try:
        data = build(consultation=consultation, actor=request.user, request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("consultations:consultation_results", org_slug=consultation.organisation.slug,
                        consultation_uuid=consultation.uuid)
    response = HttpResponse(data, content_type=content_type)
    name = f"consultation-{str(consultation.uuid)[:8]}-{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def round_create(request, org_slug, consultation_uuid):
    consultation = _consultation_or_404(request.user, org_slug, consultation_uuid, "edit")
    if request.method != "POST":  # after the lookup, so an outsider gets 404 rather than 405
        return HttpResponseNotAllowed(["POST"])
    try:
        new, token = rounds.round_create_next(
            consultation=consultation, actor=request.user, title=request.POST.get("title", "")[:200],
            drop_consensus_items=request.POST.get("drop_consensus_items") == "1", request=request)
    except ValidationError as exc:
        for message in _errors(exc):
            messages.error(request, message)
        return redirect("consultations:consultation_results", org_slug=org_slug, consultation_uuid=consultation.uuid)
    link = ""
    if token:
        path = _reverse_or("consultations:consultation_open_link", [token], "")
        link = request.build_absolute_uri(path) if path else ""
    return render(request, "consultations/results/round_created.html", {
        "org": consultation.organisation, "consultation": new, "previous": consultation, "link": link,
        "token": token if token and not link else "",
        "detail_url": _reverse_or("consultations:consultation_detail", [org_slug, new.uuid],
                                  reverse("consultations:consultation_results", args=[org_slug, new.uuid])),
    })


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
            for message in _errors(exc):
                messages.error(request, message)
            return redirect("consultations:consultation_instruments", org_slug=org.slug)
        messages.success(request, _("“%(title)s” is ready as a questionnaire.") % {"title": questionnaire.title})
        return redirect(_reverse_or("consultations:questionnaire_detail", [org.slug, questionnaire.pk],
                                    reverse("consultations:consultation_instruments", args=[org.slug])))
    catalogue = []
    for code, spec in instruments.INSTRUMENTS.items():
        official = instruments.InstrumentWording.objects.filter(instrument=code, language=org.language).exists()
        catalogue.append({"code": code, "name": spec["name"], "source": spec["source"], "official": official,
                          "scales": [{"label": s[1], "count": s[2], "about": s[3]} for s in spec["scales"]],
                          "items": sum(s[2] for s in spec["scales"])})
    return render(request, "consultations/results/instruments.html", {
        "org": org, "catalogue": catalogue, "can_edit": can_edit, "is_staff": request.user.is_staff})


@login_required
def wording_import(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    if not request.user.is_staff:
        raise PermissionDenied  # instance administrators only: the wording is shared by every organisation
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    errors = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = [_("Choose a CSV or YAML file to upload.")]
        else:
            try:
                count = instruments.instrument_wording_import(file=upload, actor=request.user, request=request)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("Official wording imported for %(n)s items.") % {"n": count})
                return redirect("consultations:consultation_instruments", org_slug=org.slug)
    return render(request, "consultations/results/wording_import.html", {
        "org": org, "errors": errors,
        "codes": {spec["name"]: [c for c, *_rest in instruments.item_codes(code)]
                  for code, spec in instruments.INSTRUMENTS.items()},
    }, status=400 if errors else 200)
