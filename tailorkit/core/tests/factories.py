"""Builders for tests of the core app, and the core app's values for the outsider sweeps."""

from tailorkit.core import services
from tailorkit.core.models import Membership


def sweep_values(org, lead, member):
    """One object of ``org`` for each URL parameter of the core app's routes."""
    invitation = services.invitation_create(organisation=org, email="new@example.org", role="member",
                                            invited_by=lead)
    return {
        "org_slug": org.slug,
        "membership_id": Membership.objects.get(organisation=org, user=member).pk,
        "invitation_id": invitation.uuid,
    }
