"""Reads of organisations, people and the audit log that pages and the API share.

Every read here starts from an organisation the caller was already allowed into (through
``permissions``) or from the caller; none of them checks permissions itself.
"""

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from .models import AuditEvent, Invitation, Membership, Organisation
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


def invitations_to(user, now=None):
    """Invitations still open to the user's email address, to organisations they are not in yet,
    newest first, with the organisation and who invited them. The link to accept is in the email
    only (the token is stored as a hash), so a page can only point to it."""
    return (Invitation.objects.filter(email__iexact=user.email, status=Invitation.Status.PENDING,
                                      expires_at__gt=now or timezone.now())
            .exclude(organisation__memberships__user=user).select_related("organisation", "invited_by"))


def unanswered_invitations(user, now=None):
    """The organisations where the user manages members and invitations wait for an answer, each
    with ``n_pending`` (invitations not yet accepted or withdrawn) and ``n_expired`` (of those, the
    ones whose link no longer works), in one query."""
    pending = Q(invitations__status=Invitation.Status.PENDING)
    expired = pending & Q(invitations__expires_at__lte=now or timezone.now())
    return (Organisation.objects.filter(pk__in=organisations_for(user, "manage_members").values("pk"))
            .annotate(n_pending=Count("invitations", filter=pending), n_expired=Count("invitations", filter=expired))
            .filter(n_pending__gt=0).order_by("name"))


def audit_events(organisation):
    """The organisation's audit log, newest first (the model's ordering), with who did it."""
    return AuditEvent.objects.filter(organisation=organisation).select_related("actor")
