from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import errors, selectors, services
from .adapters import INVITATION_SESSION_KEY
from .forms import InvitationForm, OrganisationForm, RoleForm
from .locking import StaleEdit, conflict_context
from .middleware import remember_organisation
from .models import Invitation, Membership
from .permissions import can, get_organisation_or_404, organisations_for


@login_required
def organisation_list(request):
    orgs = organisations_for(request.user)
    memberships = {m.organisation_id: m for m in Membership.objects.filter(user=request.user)}
    rows = [(org, memberships.get(org.pk)) for org in orgs]
    return render(request, "core/organisation_list.html", {"rows": rows})


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = services.organisation_create(user=request.user, request=request, **form.values())
        remember_organisation(request, org.pk)
        messages.success(request, _("%(org)s is ready. You are its implementation lead.") % {"org": org})
        return redirect("core:organisation_detail", org_slug=org.slug)
    return render(request, "core/organisation_form.html", {"form": form})


@login_required
def organisation_switch(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    remember_organisation(request, org.pk)
    return redirect("core:organisation_detail", org_slug=org.slug)


# People listed on the organisation's page before "Everyone in the team".
MEMBERS_ON_DETAIL = 12


@login_required
def organisation_detail(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    remember_organisation(request, org.pk)
    # The first few people; the team page lists everyone, in pages.
    members = list(selectors.members_of(org)[:MEMBERS_ON_DETAIL + 1])
    # Read through the relation so core does not import the projects app (data flows one way).
    projects = org.projects.filter(status="active").order_by("-last_activity_at")[:10]
    return render(request, "core/organisation_detail.html", {
        "org": org, "members": members[:MEMBERS_ON_DETAIL], "more_members": len(members) > MEMBERS_ON_DETAIL,
        "projects": projects, "can_edit": can(request.user, "edit", org),
        "can_manage": can(request.user, "manage_members", org),
        "can_edit_org": can(request.user, "manage_organisation", org),
    })


@login_required
def organisation_edit(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "manage_organisation")
    form = OrganisationForm(request.POST or None, initial={**model_to_dict(org), "version": org.version})
    context = {"org": org}
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(organisation=org, actor=request.user, request=request, **form.cleaned_data)
        except StaleEdit as exc:
            context.update(conflict_context(exc, form))
        else:
            messages.success(request, _("Organisation details saved."))
            return redirect("core:organisation_detail", org_slug=org.slug)
    return render(request, "core/organisation_form.html", {"form": form, **context})


# Members and pending invitations are shown in pages of this many (an organisation can be large).
MEMBERS_PER_PAGE = 50


@login_required
def member_list(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    can_manage = can(request.user, "manage_members", org)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            get_organisation_or_404(request.user, org_slug, "manage_members")
        if form.is_valid():
            try:
                services.invitation_create(organisation=org, invited_by=request.user, request=request,
                                           **form.cleaned_data)
            except ValidationError as exc:
                errors.add_to_form(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("core:member_list", org_slug=org.slug)
    members = Paginator(selectors.members_of(org), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    # Only those who manage members see the invitations (and the addresses in them).
    invitations = Paginator(selectors.pending_invitations(org).order_by("-created_at", "-pk"), MEMBERS_PER_PAGE
                            ).get_page(request.GET.get("invitations_page")) if can_manage else None
    return render(request, "core/member_list.html", {
        "org": org, "members": members, "invitations": invitations, "form": form,
        "can_manage": can_manage, "role_form": RoleForm(),
        # Each list's page links keep the other list where it is.
        "members_query": urlencode({"invitations_page": invitations.number}) + "&" if invitations else "",
        "invitations_query": urlencode({"page": members.number}) + "&",
    })


def _membership_or_404(request, org_slug, membership_id):
    org = get_organisation_or_404(request.user, org_slug, "manage_members")
    membership = selectors.membership_in(org, membership_id)
    if membership is None:
        raise Http404
    return org, membership


@login_required
def member_change_role(request, org_slug, membership_id):
    org, membership = _membership_or_404(request, org_slug, membership_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
    else:
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"],
                                            actor=request.user, request=request)
            messages.success(request, _("Role of %(name)s changed.") % {"name": membership.user})
        except ValidationError as exc:
            errors.flash(request, exc)
    return redirect("core:member_list", org_slug=org.slug)


@login_required
def member_remove(request, org_slug, membership_id):
    org, membership = _membership_or_404(request, org_slug, membership_id)
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, actor=request.user, request=request)
        except ValidationError as exc:
            errors.flash(request, exc)
        else:
            messages.success(request, _("%(name)s was removed from %(org)s.") % {"name": membership.user, "org": org})
        return redirect("core:member_list", org_slug=org.slug)
    return render(request, "core/member_remove.html", {"org": org, "membership": membership})


@login_required
def invitation_revoke(request, org_slug, invitation_id):
    org = get_organisation_or_404(request.user, org_slug, "manage_members")
    invitation = get_object_or_404(Invitation, organisation=org, uuid=invitation_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user, request=request)
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    except ValidationError as exc:
        errors.flash(request, exc)
    return redirect("core:member_list", org_slug=org.slug)


@login_required
def audit_log(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "manage_members")
    events = selectors.audit_events(org)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"org": org, "page": page})


def invitation_open(request, token):
    """The link in the invitation email: keep the token in the session and drop it from the URL."""
    request.session[INVITATION_SESSION_KEY] = token
    invitation = services.invitation_for_token(token)
    if invitation is not None and services.invitation_problem(invitation) is None:
        # Following the emailed link proves the address, so sign-up need not verify it again.
        from allauth.account.adapter import get_adapter

        get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("core:invitation_detail")


def invitation_detail(request):
    token = request.session.get(INVITATION_SESSION_KEY)
    invitation = services.invitation_for_token(token)
    problem = services.invitation_problem(invitation)
    if problem:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return render(request, "core/invitation_problem.html", {"problem": problem}, status=410 if invitation else 404)
    if request.method == "POST" and request.user.is_authenticated:
        if request.POST.get("action") == "switch_account":
            logout(request)
            request.session[INVITATION_SESSION_KEY] = token
            return redirect("account_login")
        try:
            membership = services.invitation_accept(token=token, user=request.user, request=request)
        except ValidationError as exc:
            errors.flash(request, exc)
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            remember_organisation(request, membership.organisation_id)
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.organisation})
            return redirect("core:organisation_detail", org_slug=membership.organisation.slug)
    return render(request, "core/invitation_detail.html", {"invitation": invitation})
