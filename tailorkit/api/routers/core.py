"""Organisations and their members, as the caller may see them.

Every lookup goes through ``tailorkit.core.permissions``: an organisation the caller is not in
answers exactly like one that does not exist (404), so the API does not reveal which exist.
"""

from django.shortcuts import get_object_or_404
from ninja import Router

from tailorkit.core.models import Membership
from tailorkit.core.permissions import get_organisation_or_404, organisations_for, role_in

from ..schemas import INVALID, NOT_FOUND, UNAUTHORISED, MembershipOut, OrganisationOut, Slug

router = Router(tags=["organisations"])


def _organisation_out(user, org):
    out = OrganisationOut.from_orm(org)
    out.role = role_in(user, org)
    return out


@router.get("/organisations", response={200: list[OrganisationOut], **UNAUTHORISED},
            summary="Your organisations")
def organisation_list(request):
    """The organisations the caller belongs to, with the caller's role in each."""
    return [_organisation_out(request.auth, org) for org in organisations_for(request.auth)]


@router.get("/organisations/{org_slug}",
            response={200: OrganisationOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One organisation")
def organisation_detail(request, org_slug: Slug):
    org = get_organisation_or_404(request.auth, org_slug)
    return _organisation_out(request.auth, org)


@router.get("/organisations/{org_slug}/memberships",
            response={200: list[MembershipOut], **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="Members of an organisation")
def membership_list(request, org_slug: Slug):
    """Everyone in the organisation, with their role."""
    org = get_organisation_or_404(request.auth, org_slug)
    return Membership.objects.filter(organisation=org).select_related("user").order_by("role", "user__email")


@router.get("/organisations/{org_slug}/memberships/{membership_id}",
            response={200: MembershipOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One member of an organisation")
def membership_detail(request, org_slug: Slug, membership_id: int):
    org = get_organisation_or_404(request.auth, org_slug)
    return get_object_or_404(Membership.objects.select_related("user"), organisation=org, pk=membership_id)
