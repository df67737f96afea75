"""Consultations as the project pages list them: the engine's consultations, each with the project
it was made for.

The consultations engine knows nothing of projects: a consultation made from a project step points
at the project through ``subject_type``/``subject_id`` (``stakeholders.py`` writes them). These
reads join the two from above, for the organisation's list of consultations and the personal home.
"""

from django.db.models import Q
from django.utils import timezone

from tailorkit.consultations.selectors import consultation_queryset

from ..models import Project
from ..stakeholders import SUBJECT_TYPE

# The states a consultation can be in, in the order of its life (the list page filters on them).
STATES = ("upcoming", "open", "closed")


def closed_q(now):
    """Consultations that no longer take answers at ``now`` (as ``Consultation.is_closed``)."""
    return Q(closes_at__lte=now) | Q(closed_at__lte=now)


def state_q(state, now):
    """The filter for one of ``STATES`` at ``now`` (as ``Consultation.is_open`` and ``is_closed``)."""
    closed = closed_q(now)
    return {"upcoming": Q(opens_at__gt=now) & ~closed, "open": Q(opens_at__lte=now) & ~closed,
            "closed": closed}[state]


def organisation_consultations(organisation, state=None, now=None):
    """The organisation's consultations, newest first, with their questionnaire, the number of
    responses (``n_responses``) and of invitations per status (``n_sent``, ``n_opened``,
    ``n_completed``); only those in ``state`` when it is one of ``STATES``."""
    consultations = consultation_queryset(organisation).select_related("questionnaire")
    if state in STATES:
        consultations = consultations.filter(state_q(state, now or timezone.now()))
    return consultations


def with_projects(consultations):
    """The consultations as a list, each with ``project``: the project of the same organisation it
    was made for, or None. One query, however many consultations."""
    consultations = list(consultations)
    ids = {c.subject_id for c in consultations if c.subject_type == SUBJECT_TYPE and c.subject_id}
    projects = Project.objects.filter(pk__in=ids).only("pk", "name", "organisation_id").in_bulk() if ids else {}
    for consultation in consultations:
        project = projects.get(consultation.subject_id) if consultation.subject_type == SUBJECT_TYPE else None
        consultation.project = project if project and project.organisation_id == consultation.organisation_id else None
    return consultations
