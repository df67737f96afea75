"""Reads for the practitioner's own growth pages: the Practice Guide's structure and the owner's
records. One rule for who may see a self-assessment: its owner and the people it is shared with
(``assessment_for``); plans and notes only their owner (``own_or_404``)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.http import Http404

from tailorkit.core.models import Membership, User
from tailorkit.library.models import Category, Item

from .models import PACK, AssessmentShare, CompetencyRating, DevelopmentPlan, Reflection, SelfAssessment

# Ids the database can hold: a larger one in a URL is simply "not found" (SQLite raises otherwise).
MAX_ID = 2**31 - 1
# Assessments shown side by side in the table of levels over time.
COLUMNS = 6
# Assessments listed on the page (the first one is always kept for the comparison).
LISTED = 24


@dataclass
class Domain:
    category: Category
    competencies: list = field(default_factory=list)


@dataclass
class Framework:
    """The guide as the pages show it; empty when the pack is not loaded."""

    principles: list
    domains: list
    questions: list

    @property
    def competencies(self):
        return [c for d in self.domains for c in d.competencies]

    @property
    def loaded(self):
        return bool(self.domains)


def framework():
    """Principles, domains with their competencies, and reflective questions: two queries."""
    categories = {c.pk: c for c in Category.objects.filter(pack__slug=PACK)}
    by_code = {c.code: c for c in categories.values()}
    top = by_code.get("competencies")
    domains = {c.pk: Domain(c) for c in sorted(categories.values(), key=lambda c: (c.order, c.code))
               if top is not None and c.parent_id == top.pk}
    principles, questions = [], []
    for item in Item.objects.filter(pack__slug=PACK).order_by("order", "code"):
        if item.category_id in domains:
            domains[item.category_id].competencies.append(item)
        elif item.category_id == getattr(by_code.get("principles"), "pk", None):
            principles.append(item)
        elif item.category_id == getattr(by_code.get("reflective-questions"), "pk", None):
            questions.append(item)
    return Framework(principles=principles, domains=list(domains.values()), questions=questions)


def bounded(pk):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk <= MAX_ID:
        raise Http404
    return pk


def assessment_for(user, pk, *, own=False):
    """The self-assessment ``pk`` if ``user`` owns it (or, unless ``own``, it is shared with them);
    404 otherwise, so another person's assessment looks exactly like a missing one."""
    visible = Q(owner=user) if own else Q(owner=user) | Q(shares__shared_with=user)
    assessment = (SelfAssessment.objects.filter(visible, pk=bounded(pk)).select_related("owner")
                  .prefetch_related(Prefetch("ratings", CompetencyRating.objects.select_related("competency")))
                  .distinct().first())
    if assessment is None:
        raise Http404
    return assessment


def own_or_404(model, user, pk):
    row = model.objects.filter(owner=user, pk=bounded(pk)).first()
    if row is None:
        raise Http404
    return row


def levels_of(assessment):
    """{competency id: level} of an assessment whose ratings were prefetched."""
    return {r.competency_id: r.level for r in assessment.ratings.all()}


@dataclass
class Change:
    competency: Item
    first: int | None
    latest: int | None

    @property
    def delta(self):
        if self.first is None or self.latest is None:
            return None
        return self.latest - self.first


def growth(user):
    """What the "My practice" page shows: assessments (newest first), the change per competency
    from the first to the latest assessment, plans, notes and what others shared with the user.
    A fixed number of queries, whatever the number of rows."""
    guide = framework()
    plans = list(DevelopmentPlan.objects.filter(owner=user).select_related("competency"))
    mine = SelfAssessment.objects.filter(owner=user).prefetch_related(
        "ratings", Prefetch("shares", AssessmentShare.objects.select_related("shared_with")))
    assessments = list(mine[:LISTED])  # newest first
    count = len(assessments) if len(assessments) < LISTED else mine.count()
    if count > len(assessments):
        assessments.append(mine.order_by("taken_on", "pk").first())  # the first, to compare with
    changes, over_time = [], []
    if assessments:
        first, latest = levels_of(assessments[-1]), levels_of(assessments[0])
        changes = [Change(c, first.get(c.pk), latest.get(c.pk)) for c in guide.competencies]
    # The table of levels over time: the latest few assessments, oldest on the left.
    columns = list(reversed(assessments[:COLUMNS]))
    column_levels = [levels_of(a) for a in columns]
    for domain in guide.domains:
        over_time.append((domain.category, [(c, [levels.get(c.pk) for levels in column_levels])
                                            for c in domain.competencies]))
    return {
        "guide": guide,
        "assessments": assessments,
        "assessment_count": count,
        "changes": changes,
        "compared": (assessments[-1], assessments[0]) if len(assessments) > 1 else None,
        "columns": columns,
        "over_time": over_time,
        "active_plans": sum(1 for p in plans if p.status == DevelopmentPlan.Status.ACTIVE),
        "plans": plans,
        "reflections": list(Reflection.objects.filter(owner=user).select_related("question")[:20]),
        "reflection_count": Reflection.objects.filter(owner=user).count(),
        "shared_with_me": list(SelfAssessment.objects.filter(shares__shared_with=user)
                               .select_related("owner").order_by("-taken_on", "-pk")[:50]),
    }


def peers_for(user):
    """People the user may share a self-assessment with: those in an organisation with them.
    (A list to pick from, not an email box, so no one can probe which addresses have accounts.)"""
    orgs = Membership.objects.filter(user=user).values("organisation")
    return (User.objects.filter(memberships__organisation__in=orgs, is_active=True).exclude(pk=user.pk)
            .distinct().order_by("name", "email"))


def latest_assessment(user):
    """The user's most recent self-assessment with its ratings (the form shows "last time"), or None."""
    return SelfAssessment.objects.filter(owner=user).prefetch_related("ratings").first()
