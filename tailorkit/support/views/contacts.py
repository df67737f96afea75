"""The support log: contacts between supporters and a site's team, with their next steps.

A site's pages (``/o/<slug>/support/``) show the support it received to its members; a supporter's
own page (``/support/log/``) shows what they gave across their sites. Reads are in ``support.log``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context
from tailorkit.core.permissions import can, get_organisation_or_404

from .. import log, selectors, services
from ..forms import ContactForm
from ..models import FollowUp, SupportContact

PER_PAGE = 25


def _contact_or_404(org, contact_id):
    contact = (SupportContact.objects.filter(organisation=org, pk=selectors.bounded(contact_id))
               .select_related("supporter", "project", "organisation").first())
    if contact is None:
        raise Http404
    return contact


@login_required
def site_support(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    contacts = Paginator(log.site_contacts(org), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "support/site_support.html", {
        "org": org, "contacts": contacts, "can_log": can(request.user, "comment", org), **log.site_overview(org)})


@login_required
def my_log(request):
    contacts = Paginator(log.my_contacts(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "support/my_log.html", {"contacts": contacts, **log.my_overview(request.user)})


@login_required
def contact_new(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "comment")
    form = ContactForm(request.POST or None, organisation=org, guide=selectors.framework(),
                       initial={"project": request.GET.get("project")})
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.support_contact_create(organisation=org, supporter=request.user,
                                                      follow_ups=form.follow_ups(), **form.values())
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Contact logged."))
            return redirect("support:contact_detail", org.slug, contact.pk)
    return render(request, "support/contact_form.html", {"org": org, "form": form})


@login_required
def contact_detail(request, org_slug, contact_id):
    org = get_organisation_or_404(request.user, org_slug)
    contact = _contact_or_404(org, contact_id)
    return render(request, "support/contact_detail.html", {
        "org": org, "contact": contact, "own": contact.supporter_id == request.user.pk,
        "may_tick": contact.supporter_id == request.user.pk or can(request.user, "edit", org),
        "follow_ups": contact.follow_ups.all(), "competencies": contact.competencies.all(),
        "strategies": contact.strategies.all()})


def _own_contact(request, org_slug, contact_id):
    org = get_organisation_or_404(request.user, org_slug)
    contact = _contact_or_404(org, contact_id)
    if contact.supporter_id != request.user.pk:
        raise PermissionDenied
    return org, contact


@login_required
def contact_edit(request, org_slug, contact_id):
    org, contact = _own_contact(request, org_slug, contact_id)
    initial = {"contact_on": contact.contact_on, "start_time": contact.start_time, "minutes": contact.minutes,
               "channel": contact.channel, "kind": contact.kind, "project": contact.project_id,
               "people": contact.people, "summary": contact.summary, "version": contact.version,
               "competencies": [c.pk for c in contact.competencies.all()],
               "strategies": [s.pk for s in contact.strategies.all()]}
    form = ContactForm(request.POST or None, organisation=org, guide=selectors.framework(), follow_ups=False,
                       initial=initial)
    context = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.support_contact_update(contact=contact, user=request.user,
                                            version=form.cleaned_data.get("version"), **form.values())
        except StaleEdit as exc:
            saved = {"competencies": list(exc.current.competencies.all()),
                     "strategies": list(exc.current.strategies.all())}
            context = conflict_context(exc, form, saved=saved)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("support:contact_detail", org.slug, contact.pk)
    return render(request, "support/contact_form.html", {"org": org, "form": form, "contact": contact, **context})


@login_required
def contact_delete(request, org_slug, contact_id):
    org, contact = _own_contact(request, org_slug, contact_id)
    if request.method == "POST":
        services.support_contact_delete(contact=contact, user=request.user)
        messages.success(request, _("Contact deleted."))
        return redirect("support:site_support", org.slug)
    return render(request, "support/confirm_delete.html", {
        "what": _("contact"), "name": str(contact), "cancel_url": reverse("support:contact_detail",
                                                                           args=[org.slug, contact.pk]),
        "consequence": _("Its next steps are deleted with it.")})


@login_required
def follow_up_done(request, org_slug, follow_up_id):
    org = get_organisation_or_404(request.user, org_slug)
    follow_up = (FollowUp.objects.filter(organisation=org, pk=selectors.bounded(follow_up_id))
                 .select_related("contact__organisation").first())
    if follow_up is None:
        raise Http404
    if request.method == "POST":
        try:
            services.follow_up_mark(follow_up=follow_up, user=request.user, done=request.POST.get("done") == "1")
        except ValidationError as exc:
            messages.error(request, errors.summary(exc))
    return redirect("support:contact_detail", org.slug, follow_up.contact_id)
