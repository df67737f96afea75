"""The support log through the API (issue 14, point 7): contacts between supporters and a site's
team, with their next steps. The same services and permission layer as the pages: a site's members
read its contacts ("view"); its leads, core members and support practitioners log them ("comment");
only a contact's author changes or deletes it (others get 403); its author or a member who may edit
ticks a next step off. Another organisation's contact is a 404 like one that does not exist.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from tailorkit.core.permissions import can, get_organisation_or_404
from tailorkit.library.models import Item
from tailorkit.projects.models import Project
from tailorkit.support import services
from tailorkit.support.models import FollowUp, SupportContact

from ..pagination import BoundedLimitOffsetPagination
from ..refusals import renames
from ..schemas.common import DELETED, READ, VERSIONED, WRITE, Id, Slug
from ..schemas.support import FollowUpDoneIn, FollowUpOut, SupportContactIn, SupportContactOut, SupportContactPut

router = Router(tags=["support log"])

# The services name a next step's fields by its place in the form (next_step_1, due_1 …) and the
# project by the model; the request body names them follow_ups and project_id.
RENAMES = {"project": "project_id", **{f"{name}_{i}": "follow_ups" for name in ("next_step", "due") for i in (1, 2, 3)}}

ORG = "/organisations/{org_slug}"
CONTACTS = ORG + "/support/contacts"


def contacts_of(org):
    return (SupportContact.objects.filter(organisation=org).select_related("supporter")
            .prefetch_related("competencies__pack", "strategies__pack", "follow_ups"))


def get_contact(request, org_slug, contact_id):
    org = get_organisation_or_404(request.auth, org_slug)
    contact = contacts_of(org).filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    return org, contact


def items_of(keys, field):
    """The library items the keys name, in one query; an unknown one is refused by name."""
    wanted = {(k.pack, k.code) for k in keys}
    found = {(i.pack.slug, i.code): i for i in Item.objects.filter(code__in=[k.code for k in keys]).select_related(
        "pack") if (i.pack.slug, i.code) in wanted}
    missing = sorted(f"{pack}/{code}" for pack, code in wanted - found.keys())
    if missing:
        raise ValidationError({field: f"No such item in the library: {', '.join(missing)}"})
    return list(found.values())


def values_of(org, payload):
    project = None
    if payload.project_id is not None:
        project = Project.objects.filter(organisation=org, pk=payload.project_id).first()
        if project is None:
            raise ValidationError({"project_id": "Not a project of this organisation."})
    return {"contact_on": payload.contact_on, "start_time": payload.start_time, "minutes": payload.minutes,
            "channel": payload.channel, "kind": payload.kind, "project": project, "people": payload.people,
            "summary": payload.summary, "competencies": items_of(payload.competencies, "competencies"),
            "strategies": items_of(payload.strategies, "strategies")}


@router.get(CONTACTS, response={200: list[SupportContactOut], **READ},
            summary="The support a site received: its contacts with supporters, the newest first")
@paginate(BoundedLimitOffsetPagination)
def support_contact_list(request, org_slug: Slug):
    """A page at a time: ``items``, ``count``, ``next`` and ``previous`` as in every list."""
    return contacts_of(get_organisation_or_404(request.auth, org_slug))


@router.get(CONTACTS + "/{contact_id}", response={200: SupportContactOut, **READ}, summary="One contact")
def support_contact_detail(request, org_slug: Slug, contact_id: Id):
    return get_contact(request, org_slug, contact_id)[1]


@router.post(CONTACTS, response={201: SupportContactOut, **WRITE}, summary="Log a contact with the site")
@renames(RENAMES)
def support_contact_create(request, org_slug: Slug, payload: SupportContactIn):
    """You are the contact's supporter. ``follow_ups`` become the site's dated next steps."""
    org = get_organisation_or_404(request.auth, org_slug)
    if not can(request.auth, "comment", org):
        raise PermissionDenied
    contact = services.support_contact_create(
        organisation=org, supporter=request.auth, follow_ups=[(f.what, f.due_on) for f in payload.follow_ups],
        **values_of(org, payload))
    return Status(201, contacts_of(org).get(pk=contact.pk))


@router.put(CONTACTS + "/{contact_id}", response={200: SupportContactOut, **VERSIONED},
            summary="Change a contact you logged")
@renames(RENAMES)
def support_contact_update(request, org_slug: Slug, contact_id: Id, payload: SupportContactPut):
    org, contact = get_contact(request, org_slug, contact_id)
    if contact.supporter_id != request.auth.pk:
        raise PermissionDenied
    services.support_contact_update(contact=contact, user=request.auth, version=payload.version,
                                    **values_of(org, payload))
    return contacts_of(org).get(pk=contact.pk)


@router.delete(CONTACTS + "/{contact_id}", response=DELETED, summary="Delete a contact you logged, with its next steps")
def support_contact_delete(request, org_slug: Slug, contact_id: Id):
    _org, contact = get_contact(request, org_slug, contact_id)
    if contact.supporter_id != request.auth.pk:
        raise PermissionDenied
    services.support_contact_delete(contact=contact, user=request.auth)
    return Status(204, None)


@router.post(ORG + "/support/follow-ups/{follow_up_id}/done", response={200: FollowUpOut, **WRITE},
             summary="Tick a next step off, or on again")
def follow_up_done(request, org_slug: Slug, follow_up_id: Id, payload: FollowUpDoneIn):
    """Sets the step's state to ``done`` (sending the same value twice changes nothing, so there is
    no version to send)."""
    org = get_organisation_or_404(request.auth, org_slug)
    follow_up = FollowUp.objects.filter(organisation=org, pk=follow_up_id).select_related(
        "contact__organisation").first()
    if follow_up is None:
        raise Http404
    if follow_up.contact.supporter_id != request.auth.pk and not can(request.auth, "edit", org):
        raise PermissionDenied
    services.follow_up_mark(follow_up=follow_up, user=request.auth, done=payload.done)
    follow_up.refresh_from_db()
    return follow_up
