"""What one person has to do, across every organisation they belong to: the reads of the personal
home page ("what needs me now") and of the page of all their open tasks.

Every function takes the user and ``organisations``, a queryset (or list) of the organisations the
caller already knows the user may see (``core.permissions.organisations_for``); rows of any other
organisation are never read. Each returns a queryset, so a page takes a bounded slice of it.

"Current work" is the work of the *current iteration* of *active* projects: tasks and success
criteria of an earlier iteration are read-only records of a pass the team has finished, and an
archived project is set aside on purpose.
"""

from datetime import timedelta

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tailorkit.consultations.models import Consultation
from tailorkit.consultations.models import Invitation as ConsultationInvitation

from ..models import Iteration, Judgement, Project, SuccessCriterion, Task
from .consultations import closed_q

# How far ahead the home page looks, and when a project counts as stalled (issue 10).
TASK_DAYS_AHEAD = 14
CRITERION_DAYS_AHEAD = 30
STALLED_AFTER_DAYS = 30
# A closed consultation stays on its creator's home page this long, so its results are at hand.
CLOSED_CONSULTATION_DAYS = 30

OPEN_TASK_STATUSES = (Task.Status.TODO, Task.Status.DOING)


def _current_iteration_number():
    """The number of the newest iteration of the row's project (a correlated subquery)."""
    return Iteration.objects.filter(project=OuterRef("project")).order_by("-number").values("number")[:1]


def my_projects(user, organisations):
    """Active projects of ``organisations`` whose team includes ``user`` (the owner is always on
    the team), most recently active first, with their organisation."""
    return (Project.objects.filter(organisation__in=organisations, status=Project.Status.ACTIVE, team=user)
            .select_related("organisation").order_by("-last_activity_at", "-pk"))


def open_tasks(user, organisations):
    """The user's tasks still to do or in progress, in the current iteration of active projects,
    the earliest due first (tasks with no due date last)."""
    return (Task.objects.filter(organisation__in=organisations, owner=user, status__in=OPEN_TASK_STATUSES,
                                project__status=Project.Status.ACTIVE,
                                iteration__number=Subquery(_current_iteration_number()))
            .select_related("project__organisation")
            .order_by(F("due_date").asc(nulls_last=True), "pk"))


def tasks_due(user, organisations, today=None):
    """``open_tasks`` that are overdue or due within ``TASK_DAYS_AHEAD`` days: overdue first."""
    today = today or timezone.localdate()
    return open_tasks(user, organisations).filter(due_date__lte=today + timedelta(days=TASK_DAYS_AHEAD))


def criteria_due(user, organisations, today=None):
    """Success criteria of the user's projects (current iteration) whose date has passed or falls
    within ``CRITERION_DAYS_AHEAD`` days, and that no review has judged yet; the earliest first."""
    today = today or timezone.localdate()
    judged = Judgement.objects.filter(criterion=OuterRef("pk"))
    return (SuccessCriterion.objects
            .filter(organisation__in=organisations, project__in=my_projects(user, organisations).values("pk"),
                    iteration__number=Subquery(_current_iteration_number()),
                    target_date__lte=today + timedelta(days=CRITERION_DAYS_AHEAD))
            .exclude(Exists(judged))
            .select_related("project__organisation").order_by("target_date", "pk"))


def stalled_projects(user, organisations, now=None):
    """The user's active projects with no recorded change for ``STALLED_AFTER_DAYS`` days, the
    longest quiet first."""
    since = (now or timezone.now()) - timedelta(days=STALLED_AFTER_DAYS)
    return my_projects(user, organisations).filter(last_activity_at__lt=since).order_by("last_activity_at", "pk")


def my_consultations(user, organisations, now=None):
    """Consultations the user made, open or not open yet, or closed within
    ``CLOSED_CONSULTATION_DAYS`` days: those still taking answers first, the soonest to close first
    (no closing date last), then the closed ones.

    Each carries ``n_responses`` and ``n_invited``: totals only, which the consultation's own page
    shows to every member; nothing about groups or answers, which the minimum group size governs."""
    now = now or timezone.now()
    long_closed = now - timedelta(days=CLOSED_CONSULTATION_DAYS)
    invited = (ConsultationInvitation.objects.filter(consultation=OuterRef("pk")).order_by()
               .values("consultation").annotate(n=Count("pk")).values("n"))
    closed = Case(When(closed_q(now), then=Value(1)), default=Value(0), output_field=IntegerField())
    return (Consultation.objects.filter(organisation__in=organisations, created_by=user)
            .exclude(Q(closes_at__lt=long_closed) | Q(closed_at__lt=long_closed))
            .select_related("organisation")
            .annotate(n_responses=Count("responses"), closed_now=closed,
                      n_invited=Coalesce(Subquery(invited, output_field=IntegerField()), Value(0)))
            .order_by("closed_now", F("closes_at").asc(nulls_last=True), "-created_at", "-pk"))

