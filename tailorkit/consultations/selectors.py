"""Reads of questionnaires and consultations that the pages and the API share.

Each takes the organisation whose rows it reads (the caller has checked the user's access through
``tailorkit.core.permissions``), except ``questionnaire_detail_queryset``, which the pages hand to
``get_object_for_user_or_404`` to be narrowed there. Results are read in ``services.results``.
"""

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from tailorkit.core.anonymity import threshold_for

from .models import Consultation, Invitation, Question, Questionnaire, Response, Section


def questionnaires_of(org):
    """The organisation's questionnaires, by title."""
    return Questionnaire.objects.filter(organisation=org)


def questionnaires_with_use(org):
    """The organisation's questionnaires, each with its newest version number (``latest_number``),
    its number of consultations (``n_consultations``) and the newest one's creation (``last_used``)."""
    used = (Consultation.objects.filter(questionnaire=OuterRef("pk")).order_by()
            .values("questionnaire").annotate(n=Count("pk")))
    return questionnaires_of(org).annotate(
        latest_number=Max("versions__number"),
        n_consultations=Coalesce(Subquery(used.values("n"), output_field=IntegerField()), 0),
    ).order_by("title", "pk")


def questionnaire_queryset(org):
    """The organisation's questionnaires with the number of their newest version (``latest_number``)."""
    return questionnaires_of(org).annotate(latest_number=Max("versions__number"))


def questionnaire_detail_queryset(org=None):
    """Questionnaires with their newest version number and their sections and questions in order
    (one query each); those of ``org`` when it is given."""
    questionnaires = questionnaire_queryset(org) if org is not None else Questionnaire.objects.annotate(
        latest_number=Max("versions__number"))
    return questionnaires.prefetch_related(
        Prefetch("sections", queryset=Section.objects.order_by("position", "pk").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "pk")))))


def consultations_of(org):
    """The organisation's consultations, newest first, with their questionnaire."""
    return Consultation.objects.filter(organisation=org).select_related("questionnaire")


def consultation_queryset(org):
    """The organisation's consultations, newest first, each with its number of responses
    (``n_responses``) and of invitations per status (``n_sent``, ``n_opened``, ``n_completed``)."""
    # Subqueries rather than joins: two counted joins (responses × invitations) would multiply.
    def counted(model, **filters):
        rows = (model.objects.filter(consultation=OuterRef("pk"), **filters).order_by()
                .values("consultation").annotate(n=Count("pk")).values("n"))
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return Consultation.objects.filter(organisation=org).annotate(
        n_responses=counted(Response),
        **{f"n_{status}": counted(Invitation, status=status) for status in Invitation.Status.values},
    )


def invitation_counts(consultation):
    """How many of the consultation's invitations have each status (one query, no addresses read)."""
    counts = {status: 0 for status in Invitation.Status.values}
    rows = consultation.invitations.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    counts.update(dict(rows))
    return counts


def invitations_with_counts(consultation):
    """The consultation's invitations (one query) and how many have each status."""
    invitations = consultation.invitations.all()
    counts = {status: 0 for status in Invitation.Status.values}
    for invitation in invitations:
        counts[invitation.status] += 1
    return invitations, counts


def group_size_outlook(consultation):
    """Will the minimum group size hide this consultation's results? What the invite and
    consultation pages warn about before anyone answers (a small clinic invites 4 people to a
    consultation whose minimum is 5, and every result reads "withheld").

    ``None`` when the minimum is 1 (nothing is ever hidden). Otherwise ``{"threshold", "invited",
    "short_by", "small_groups": [(label, n invited)], "limit": response limit below the minimum or
    None, "warn"}``: ``short_by`` counts the people still to invite (personal invitations only: an
    open link's audience is not known in advance); ``small_groups`` are invited groups too small to
    be shown on their own; ``warn`` says whether anything will certainly or probably be hidden.
    One query (the invitations by group)."""
    threshold = threshold_for(consultation.min_group_size)
    if threshold <= 1:
        return None
    invited, small_groups = 0, []
    if consultation.mode == Consultation.Mode.INVITATIONS:
        rows = consultation.invitations.order_by().values("group").annotate(n=Count("pk")).values_list("group", "n")
        by_group = dict(rows)
        invited = sum(by_group.values())
        small_groups = [(consultation.group_label(g), n) for g, n in sorted(by_group.items())
                        if g and n < threshold]
    limit = consultation.response_limit
    limit = limit if limit is not None and limit < threshold else None
    short_by = max(0, threshold - invited) if consultation.mode == Consultation.Mode.INVITATIONS else 0
    return {"threshold": threshold, "invited": invited, "short_by": short_by, "small_groups": small_groups,
            "limit": limit, "warn": bool(short_by or small_groups or limit is not None)}
