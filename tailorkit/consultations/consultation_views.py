"""Staff pages for running a consultation: create, settings, invitations with status, open link,
closing, and erasing a respondent's data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core.permissions import can, get_organisation_or_404

from . import delivery
from .forms import ConsultationForm, InviteForm
from .models import Invitation, Questionnaire
from .views import _add_errors, _consultation, _flash_errors

NEW_LINK_SESSION_KEY = "consultation_new_open_link"


def _show_link_once(request, consultation, token):
    # Only the hash is stored, so the team sees the raw link once, right after it is made.
    request.session[NEW_LINK_SESSION_KEY] = {
        "consultation": str(consultation.uuid),
        "url": request.build_absolute_uri(reverse("consultations:consultation_open_link", args=[token])),
    }


@login_required
def consultation_create(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    questionnaires = Questionnaire.objects.filter(organisation=org)
    initial = {"questionnaire": request.GET.get("questionnaire")}
    form = ConsultationForm(request.POST or None, questionnaires=questionnaires, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["questionnaire"] = get_object_or_404(Questionnaire, organisation=org, pk=data["questionnaire"])
        try:
            consultation, token = delivery.consultation_create(organisation=org, actor=request.user,
                                                               request=request, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if token:
                _show_link_once(request, consultation, token)
            messages.success(request, _("Consultation created."))
            return redirect("consultations:consultation_detail", org_slug=org.slug, consultation_id=consultation.uuid)
    return render(request, "consultations/consultation_form.html", {"org": org, "form": form})


@login_required
def consultation_detail(request, org_slug, consultation_id):
    org, consultation = _consultation(request, org_slug, consultation_id)
    new_link = request.session.get(NEW_LINK_SESSION_KEY)
    if new_link and new_link.get("consultation") == str(consultation.uuid):
        request.session.pop(NEW_LINK_SESSION_KEY)
    else:
        new_link = None
    invitations = consultation.invitations.all()
    counts = {s: 0 for s in Invitation.Status.values}
    for inv in invitations:
        counts[inv.status] += 1
    return render(request, "consultations/consultation_detail.html", {
        "org": org, "consultation": consultation, "invitations": invitations, "counts": counts,
        "response_count": consultation.responses.count(), "new_link": new_link,
        "can_edit": can(request.user, "edit", org), "can_erase": can(request.user, delivery.LEAD_ACTION, org),
        "invite_form": InviteForm(), "retention_days": delivery.email_retention_days(),
    })


@login_required
def consultation_edit(request, org_slug, consultation_id):
    org, consultation = _consultation(request, org_slug, consultation_id, "edit")
    initial = {f: getattr(consultation, f) for f in ("title", "purpose", "anonymous", "opens_at", "closes_at",
                                                     "response_limit", "min_group_size", "groups")}
    initial["reminder_days"] = ", ".join(str(d) for d in consultation.reminder_days)
    form = ConsultationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["opens_at"] = data["opens_at"] or consultation.opens_at
        try:
            delivery.consultation_update(consultation=consultation, actor=request.user, request=request, **data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Consultation settings saved."))
            return redirect("consultations:consultation_detail", org_slug=org.slug, consultation_id=consultation.uuid)
    return render(request, "consultations/consultation_form.html", {"org": org, "form": form,
                                                                    "consultation": consultation})


@login_required
def consultation_invite(request, org_slug, consultation_id):
    org, consultation = _consultation(request, org_slug, consultation_id, "edit")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = delivery.invitations_send(consultation=consultation, actor=request.user, request=request,
                                             text=form.cleaned_data["addresses"],
                                             default_group=form.cleaned_data["default_group"])
        except ValidationError as exc:
            for error in exc.messages:
                form.add_error("addresses", error)
        else:
            messages.success(request, _("%(n)s invitation(s) are being sent.") % {"n": len(sent)})
            return redirect("consultations:consultation_detail", org_slug=org.slug, consultation_id=consultation.uuid)
    return render(request, "consultations/invite_form.html", {"org": org, "consultation": consultation, "form": form})


@login_required
def consultation_open_link(request, org_slug, consultation_id):
    org, consultation = _consultation(request, org_slug, consultation_id, "edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        token = delivery.consultation_new_open_link(consultation=consultation, actor=request.user, request=request)
    except ValidationError as exc:
        _flash_errors(request, exc)
    else:
        _show_link_once(request, consultation, token)
        messages.success(request, _("A new open link was made. The previous link no longer works."))
    return redirect("consultations:consultation_detail", org_slug=org.slug, consultation_id=consultation.uuid)


@login_required
def consultation_close(request, org_slug, consultation_id):
    org, consultation = _consultation(request, org_slug, consultation_id, "edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        delivery.consultation_close(consultation=consultation, actor=request.user, request=request)
        messages.success(request, _("The consultation is closed. No more answers are accepted."))
    except ValidationError as exc:
        _flash_errors(request, exc)
    return redirect("consultations:consultation_detail", org_slug=org.slug, consultation_id=consultation.uuid)


@login_required
def respondent_erase(request, org_slug, consultation_id, respondent_id):
    org, consultation = _consultation(request, org_slug, consultation_id, delivery.LEAD_ACTION)
    invitation = get_object_or_404(Invitation, consultation=consultation, uuid=respondent_id)
    if request.method == "POST":
        try:
            delivery.invitation_erase(invitation=invitation, actor=request.user, request=request)
            messages.success(request, _("The person's data was erased."))
        except ValidationError as exc:
            _flash_errors(request, exc)
        return redirect("consultations:consultation_detail", org_slug=org.slug, consultation_id=consultation.uuid)
    return render(request, "consultations/erase_confirm.html", {
        "org": org, "consultation": consultation, "invitation": invitation})

