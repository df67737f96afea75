"""Goals and barriers: the project's barriers with their ratings, the focus of an iteration, and
the ranking of barriers by priority.

Prioritising by importance and changeability follows the ItFits-toolkit's step 1 (Finch et al.,
Implement Sci 2024;19:48, Table 1): barriers that matter most *and* that the team can change rank
highest.
"""

from dataclasses import dataclass, field

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from tailorkit.library.models import Item

from ..models import Barrier, BarrierRating, Focus


def project_barriers(project):
    """The project's barriers with their library item, category and ratings in three queries."""
    return list(Barrier.objects.filter(project=project).select_related("item__category", "item__pack")
                .prefetch_related("ratings__rated_by"))


def barrier_with_ratings(barrier):
    """One barrier with its library item and ratings, e.g. again after a write."""
    return Barrier.objects.select_related("item__pack").prefetch_related("ratings").get(pk=barrier.pk)


@dataclass
class RankedBarrier:
    barrier: Barrier
    n: int = 0
    mean_importance: float | None = None
    mean_changeability: float | None = None
    # Optional second source, e.g. consultations.stakeholder_ratings(): (importance, changeability, n).
    stakeholder: tuple | None = None
    rank: int | None = None
    my_rating: BarrierRating | None = None
    focused: bool = False
    ratings: list = field(default_factory=list)

    @property
    def score(self):
        """Team priority: mean importance × mean changeability (1–25)."""
        if self.mean_importance is None:
            return None
        return self.mean_importance * self.mean_changeability

    @property
    def stakeholder_score(self):
        if not self.stakeholder or not self.stakeholder[2]:
            return None
        return self.stakeholder[0] * self.stakeholder[1]

    @property
    def combined_importance(self):
        return _combine(self.mean_importance, self.stakeholder_mean(0))

    @property
    def combined_changeability(self):
        return _combine(self.mean_changeability, self.stakeholder_mean(1))

    @property
    def combined_score(self):
        i, c = self.combined_importance, self.combined_changeability
        return None if i is None or c is None else i * c

    def stakeholder_mean(self, index):
        if not self.stakeholder or not self.stakeholder[2]:
            return None
        return self.stakeholder[index]


def _combine(team, stakeholders):
    # The team and its stakeholders count half each, whatever their numbers, so a large survey
    # does not drown out the team (nor the reverse) – "be open" without giving up ownership.
    values = [v for v in (team, stakeholders) if v is not None]
    return sum(values) / len(values) if values else None


def ranked_barriers(project, stakeholder=None, *, barriers=None, user=None, focused_ids=()):
    """Barriers ranked by priority, best first.

    Ranking rule: the score is mean importance × mean changeability of the team's ratings (both
    1–5, so 1–25). When ``stakeholder`` ratings are given (``{barrier_id: (mean_importance,
    mean_changeability, n)}``, as returned by the consultations app's ``stakeholder_ratings``), the
    rank uses the *combined* score: the team's and the stakeholders' means count half each. Ties go
    to the higher importance, then to the name. Unrated barriers come last, unranked.
    """
    barriers = project_barriers(project) if barriers is None else barriers
    stakeholder = stakeholder or {}
    rows = []
    for barrier in barriers:
        ratings = list(barrier.ratings.all())
        row = RankedBarrier(barrier=barrier, n=len(ratings), ratings=ratings,
                            stakeholder=stakeholder.get(barrier.pk), focused=barrier.pk in set(focused_ids))
        if ratings:
            row.mean_importance = sum(r.importance for r in ratings) / len(ratings)
            row.mean_changeability = sum(r.changeability for r in ratings) / len(ratings)
        if user is not None:
            row.my_rating = next((r for r in ratings if r.rated_by_id == user.pk), None)
        rows.append(row)

    def key(row):
        score = row.combined_score if stakeholder else row.score
        importance = row.combined_importance if stakeholder else row.mean_importance
        return (score is None, -(score or 0), -(importance or 0), row.barrier.name.lower())

    rows.sort(key=key)
    rank = 0
    for row in rows:
        if (row.combined_score if stakeholder else row.score) is not None:
            rank += 1
            row.rank = rank
    return rows


def focus_of(iteration):
    """(goal ids, barrier ids) the iteration focuses on."""
    pairs = list(Focus.objects.filter(iteration=iteration).values_list("goal_id", "barrier_id"))
    return [g for g, _b in pairs if g], [b for _g, b in pairs if b]


def barrier_list(pack, query=""):
    """The barrier list ``pack`` by category, for picking barriers: [(category or None, [items])]
    in the pack's order, all of it or only the items whose name, description, other names,
    category or code contain ``query`` (case-insensitive; retired items are left out)."""
    items = Item.objects.filter(pack=pack).exclude(attributes__has_key="retired")
    if query:
        items = items.annotate(aliases_text=Cast("aliases", TextField())).filter(
            Q(name__icontains=query) | Q(description__icontains=query) | Q(aliases_text__icontains=query)
            | Q(category__name__icontains=query) | Q(code__iexact=query))
    groups, index = [], {}
    for item in items.select_related("category").order_by("category__order", "category__code", "order", "code"):
        if item.category_id not in index:
            index[item.category_id] = len(groups)
            groups.append((item.category, []))
        groups[index[item.category_id]][1].append(item)
    return groups
