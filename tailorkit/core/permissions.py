"""The one permission layer: every view and API route asks here.

``can(user, action, obj)`` answers a yes/no question; ``organisations_for(user)`` and the
``get_*_or_404`` helpers fetch objects *through* the user's memberships, so an object of another
organisation is indistinguishable from one that does not exist (404, never 403).
"""

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
    role = role_in(user, organisation_of(obj))
    return role is not None and action in ROLE_ACTIONS[role]


def get_organisation_or_404(user, slug, action="view"):
    """The organisation with this slug if the user may do ``action`` in it; 404 otherwise."""
    org = organisations_for(user).filter(slug=slug).first()
    if org is None:
        raise Http404
    if not can(user, action, org):
        # A member without the right still knows the organisation exists; tell them plainly.
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return org


def for_user(user, queryset, action="view"):
    """Restrict a queryset of organisation-owned rows to those the user may see."""
    return queryset.filter(organisation__in=organisations_for(user, action))
