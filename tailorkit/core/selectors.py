"""Reads of organisations, people and the audit log that pages and the API share.

Every read here starts from an organisation the caller was already allowed into (through
``permissions``) or from the caller; none of them checks permissions itself.
"""

from django.db.models import OuterRef, Subquery

from .models import AuditEvent, Invitation, Membership
from .permissions import organisations_for


def organisations_with_role(user):
    """The user's organisations, each with ``my_role`` (their role in it), in one query."""
    role = Membership.objects.filter(organisation=OuterRef("pk"), user=user).values("role")[:1]
    return organisations_for(user).annotate(my_role=Subquery(role))


def members_of(organisation):
    """Memberships of the organisation with their people, leads first."""
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("role", "user__email")


def membership_in(organisation, membership_id):
    """One membership of the organisation, or None."""
    return members_of(organisation).filter(pk=membership_id).first()


def pending_invitations(organisation):
    return Invitation.objects.filter(organisation=organisation, status=Invitation.Status.PENDING)


def audit_events(organisation):
    """The organisation's audit log, newest first (the model's ordering), with who did it."""
    return AuditEvent.objects.filter(organisation=organisation).select_related("actor")
