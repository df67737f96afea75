"""The one permission layer: every view and API route asks here.

``can(user, action, obj)`` answers a yes/no question; ``organisations_for(user)`` and the
``get_*_or_404`` helpers fetch objects *through* the user's access, so an object of another
organisation is indistinguishable from one that does not exist (404, never 403). A member whose
role does not allow the action gets 403: they know the object exists.

Where access comes from
-----------------------
Today a user reaches an organisation's data only through a ``Membership`` and its role. Two more
sources are planned, and this module is where both plug in, so that no view, selector or API route
changes when they land:

* a **support engagement** (issue "implementation support practice"): a supporter, a member of
  their own organisation, is granted ``view`` or ``comment`` (or co-editing) on chosen projects of
  a site, from a start to an end date;
* a **programme's data-sharing agreement** (issue "programmes and trials"): programme staff see
  their member sites' summaries, or full records, as the agreement says.

Both become rows of one model here in ``core`` (an access grant: grantee, organisation, actions,
scope of projects or ``None`` for all, start and end, the source it came from), written only by
``core.services`` when the ``support`` and ``programmes`` apps create, change or end an engagement
or agreement, so that core never imports the apps above it. ``access_in`` then returns the
membership's access merged with every live grant; ``organisations_for`` adds the granting
organisations; ``get_object_for_user_or_404`` checks the grant's project scope through
``project_scope``; and every read through a grant is written to the audit log of the organisation
that granted it. Until then ``_grants`` has no rows to read, and ``access_in`` is the membership alone.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Organisation, Role

# What each role may do inside its organisation. Supporters are outside practitioners with read
# and comment access (issue 2, point 3); viewers only read.
ROLE_ACTIONS = {
    Role.LEAD: {"view", "comment", "edit", "manage_members", "manage_organisation"},
    Role.MEMBER: {"view", "comment", "edit"},
    Role.VIEWER: {"view"},
    Role.SUPPORTER: {"view", "comment"},
}
ACTIONS = set().union(*ROLE_ACTIONS.values())


def roles_allowed(action):
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def organisations_for(user, action="view"):
    """Organisations in which the user may do ``action``."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=roles_allowed(action)
    ).distinct()


@dataclass(frozen=True)
class Access:
    """What a user may do in one organisation, and through what."""

    actions: frozenset
    role: str | None = None          # the membership's role, when the access is a membership
    projects: frozenset | None = None  # None: every project; else the ids a grant is limited to
    via: str = "membership"

    def allows(self, action, project_id=None):
        return action in self.actions and (self.projects is None or project_id in self.projects)


def _grants(user, organisation):
    """Live cross-organisation grants of ``user`` in ``organisation`` (see the module docstring).
    There is no grant model yet, so there are none."""
    return ()


def access_in(user, organisation):
    """The user's ``Access`` in the organisation, or None when they have none."""
    role = role_in(user, organisation)
    if role is not None:
        return Access(actions=frozenset(ROLE_ACTIONS[role]), role=role)
    for grant in _grants(user, organisation):
        return grant
    return None


def role_in(user, organisation):
    """The user's role in the organisation, or None. Cached per request object."""
    if not getattr(user, "is_authenticated", False) or organisation is None:
        return None
    cache = user.__dict__.setdefault("_tailorkit_roles", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = (
            Membership.objects.filter(user=user, organisation=organisation)
            .values_list("role", flat=True)
            .first()
        )
    return cache[organisation.pk]


def organisation_of(obj):
    if isinstance(obj, Organisation):
        return obj
    org = getattr(obj, "organisation", None)
    if org is None:
        raise TypeError(f"{type(obj).__name__} is not owned by an organisation")
    return org


def can(user, action, obj):
    """May ``user`` do ``action`` on ``obj`` (an organisation or a row that carries one)?"""
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    access = access_in(user, organisation_of(obj))
    return access is not None and action in access.actions


def get_organisation_or_404(user, slug, action="view"):
    """The organisation with this slug if the user may do ``action`` in it; 404 otherwise."""
    org = organisations_for(user).filter(slug=slug).first()
    if org is None:
        raise Http404
    if not can(user, action, org):
        # A member without the right still knows the organisation exists; tell them plainly.
        raise PermissionDenied
    return org


def get_object_for_user_or_404(user, queryset, *, org_slug, action="view", **lookup):
    """The one "fetch this object if the user may" helper.

    The row of ``queryset`` matching ``lookup`` inside the organisation ``org_slug``: 404 when the
    user has no access to that organisation or no such row is there (another organisation's row
    looks exactly like a missing one); 403 when they may see it but not do ``action``.
    """
    org = get_organisation_or_404(user, org_slug)
    obj = queryset.filter(organisation=org, **lookup).first()
    if obj is None:
        raise Http404
    if not can(user, action, obj):
        raise PermissionDenied
    return obj


def for_user(user, queryset, action="view"):
    """Restrict a queryset of organisation-owned rows to those the user may see."""
    return queryset.filter(organisation__in=organisations_for(user, action))
