"""Staff pages for running consultations: the list, create and settings, invitations with their
status, the open link, closing, and erasing a respondent's data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context
from tailorkit.core.permissions import can, get_object_for_user_or_404, get_organisation_or_404

from .. import selectors, subjects
from ..forms import ConsultationForm, InviteForm
from ..models import Consultation
from ..services import delivery
from .builder import questionnaire_list  # paginated there with the other questionnaire pages

NEW_LINK_SESSION_KEY = "consultation_new_open_link"
EDITABLE = ("title", "purpose", "anonymous", "opens_at", "closes_at", "response_limit", "min_group_size", "groups",
            "version")


def _consultation(request, org_slug, consultation_id, action="view"):
    return get_object_for_user_or_404(
        request.user, Consultation.objects.select_related("questionnaire", "organisation"), org_slug=org_slug,
        action=action, uuid=consultation_id)


def _to_consultation(consultation):
    return redirect("consultations:consultation_detail", org_slug=consultation.organisation.slug,
                    consultation_id=consultation.uuid)


def _show_link_once(request, consultation, token):
    # Only the hash is stored, so the team sees the raw link once, right after it is made.
    request.session[NEW_LINK_SESSION_KEY] = {
        "consultation": str(consultation.uuid),
        "url": request.build_absolute_uri(reverse("consultations:consultation_open_link", args=[token])),
    }


def _new_link(request, consultation):
    """The link made on the previous request, shown once (then forgotten)."""
    new_link = request.session.get(NEW_LINK_SESSION_KEY)
    if new_link and new_link.get("consultation") == str(consultation.uuid):
        request.session.pop(NEW_LINK_SESSION_KEY)
        return new_link
    return None


@login_required
def consultation_list(request, org_slug):
    """All consultations: the list the app above registered (with projects and steps), else the
    engine's own list under the questionnaires."""
    org = get_organisation_or_404(request.user, org_slug)
    if subjects.overview_url_name():
        return redirect(subjects.overview_url_name(), org.slug)
    return questionnaire_list(request, org_slug)


@login_required
def consultation_create(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    questionnaires = selectors.questionnaires_of(org)
    initial = {"questionnaire": request.GET.get("questionnaire")}
    form = ConsultationForm(request.POST or None, questionnaires=questionnaires, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.values()
        data["questionnaire"] = get_object_or_404(questionnaires, pk=data["questionnaire"])
        try:
            consultation, token = delivery.consultation_create(organisation=org, actor=request.user,
                                                               request=request, **data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            if token:
                _show_link_once(request, consultation, token)
            messages.success(request, _("Consultation created."))
            return _to_consultation(consultation)
    return render(request, "consultations/consultation_form.html", {"org": org, "form": form})


@login_required
def consultation_detail(request, org_slug, consultation_id):
    consultation = _consultation(request, org_slug, consultation_id)
    org = consultation.organisation
    can_edit = can(request.user, "edit", org)
    # Who was invited, and who has answered, is for the people who run the consultation (leads and
    # core team members); the other roles see how many invitations have each status.
    if can_edit:
        invitations, counts = selectors.invitations_with_counts(consultation)
    else:
        invitations, counts = None, selectors.invitation_counts(consultation)
    return render(request, "consultations/consultation_detail.html", {
        "org": org, "consultation": consultation, "invitations": invitations, "counts": counts,
        "response_count": consultation.responses.count(), "new_link": _new_link(request, consultation),
        "can_edit": can_edit, "can_erase": can(request.user, delivery.LEAD_ACTION, org),
        "invite_form": InviteForm(), "retention_days": delivery.email_retention_days(),
        "subject": subjects.subject_link(consultation),
        "outlook": selectors.group_size_outlook(consultation) if can_edit else None,
    })


@login_required
def consultation_edit(request, org_slug, consultation_id):
    consultation = _consultation(request, org_slug, consultation_id, "edit")
    initial = {f: getattr(consultation, f) for f in EDITABLE}
    initial["reminder_days"] = ", ".join(str(d) for d in consultation.reminder_days)
    form = ConsultationForm(request.POST or None, initial=initial, editing=True)
    conflict = {}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["opens_at"] = data["opens_at"] or consultation.opens_at
        try:
            delivery.consultation_update(consultation=consultation, actor=request.user, request=request, **data)
        except StaleEdit as exc:
            conflict = conflict_context(exc, form, saved={
                "access_code": "", "clear_access_code": form.cleaned_data.get("clear_access_code")})
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Consultation settings saved."))
            return _to_consultation(consultation)
    return render(request, "consultations/consultation_form.html",
                  {"org": consultation.organisation, "form": form, "consultation": consultation, **conflict})


@login_required
def consultation_invite(request, org_slug, consultation_id):
    consultation = _consultation(request, org_slug, consultation_id, "edit")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent = delivery.invitations_send(consultation=consultation, actor=request.user, request=request,
                                             text=form.cleaned_data["addresses"],
                                             default_group=form.cleaned_data["default_group"])
        except ValidationError as exc:
            # Every refusal is about the pasted list, so it is shown at the list.
            errors.add_to_form(form, exc, rename={errors.NON_FIELD: "addresses", "groups": "addresses"})
        else:
            messages.success(request, ngettext("%(n)s invitation is being sent.", "%(n)s invitations are being sent.",
                                               len(sent)) % {"n": len(sent)})
            return _to_consultation(consultation)
    return render(request, "consultations/invite_form.html", {
        "org": consultation.organisation, "consultation": consultation, "form": form,
        "subject": subjects.subject_link(consultation), "outlook": selectors.group_size_outlook(consultation)})


@login_required
def consultation_open_link(request, org_slug, consultation_id):
    consultation = _consultation(request, org_slug, consultation_id, "edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        token = delivery.consultation_new_open_link(consultation=consultation, actor=request.user, request=request)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        _show_link_once(request, consultation, token)
        messages.success(request, _("A new open link was made. The previous link no longer works."))
    return _to_consultation(consultation)


@login_required
def consultation_close(request, org_slug, consultation_id):
    consultation = _consultation(request, org_slug, consultation_id, "edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        delivery.consultation_close(consultation=consultation, actor=request.user, request=request)
        messages.success(request, _("The consultation is closed. No more answers are accepted."))
    except ValidationError as exc:
        errors.flash(request, exc)
    return _to_consultation(consultation)


@login_required
def respondent_erase(request, org_slug, consultation_id, respondent_id):
    consultation = _consultation(request, org_slug, consultation_id, delivery.LEAD_ACTION)
    invitation = get_object_or_404(consultation.invitations, uuid=respondent_id)
    if request.method == "POST":
        try:
            delivery.invitation_erase(invitation=invitation, actor=request.user, request=request)
            messages.success(request, _("The person's data was erased."))
        except ValidationError as exc:
            errors.flash(request, exc)
        return _to_consultation(consultation)
    return render(request, "consultations/erase_confirm.html",
                  {"org": consultation.organisation, "consultation": consultation, "invitation": invitation})
