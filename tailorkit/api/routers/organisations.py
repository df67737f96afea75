"""Organisations and their members, as the caller may see them.

Every lookup goes through ``tailorkit.core.permissions``: an organisation the caller is not in
answers exactly like one that does not exist (404), so the API does not reveal which exist.
"""

from django.http import Http404
from ninja import Router

from tailorkit.core import selectors
from tailorkit.core.permissions import get_organisation_or_404

from ..schemas.common import INVALID, NOT_FOUND, UNAUTHORISED, Slug
from ..schemas.organisations import MembershipOut, OrganisationOut

router = Router(tags=["organisations"])


def _organisation_out(org):
    out = OrganisationOut.from_orm(org)
    out.role = org.my_role
    return out


@router.get("/organisations", response={200: list[OrganisationOut], **UNAUTHORISED},
            summary="Your organisations")
def organisation_list(request):
    """The organisations the caller belongs to, with the caller's role in each."""
    return [_organisation_out(org) for org in selectors.organisations_with_role(request.auth)]


@router.get("/organisations/{org_slug}",
            response={200: OrganisationOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One organisation")
def organisation_detail(request, org_slug: Slug):
    # One query: the caller's organisations already hold only those they may see.
    org = selectors.organisations_with_role(request.auth).filter(slug=org_slug).first()
    if org is None:
        raise Http404
    return _organisation_out(org)


@router.get("/organisations/{org_slug}/memberships",
            response={200: list[MembershipOut], **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="Members of an organisation")
def membership_list(request, org_slug: Slug):
    """Everyone in the organisation, with their role."""
    org = get_organisation_or_404(request.auth, org_slug)
    return selectors.members_of(org)


@router.get("/organisations/{org_slug}/memberships/{membership_id}",
            response={200: MembershipOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="One member of an organisation")
def membership_detail(request, org_slug: Slug, membership_id: int):
    org = get_organisation_or_404(request.auth, org_slug)
    membership = selectors.membership_in(org, membership_id)
    if membership is None:
        raise Http404
    return membership
