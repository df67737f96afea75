"""Matching strategies: the candidates for the focused barriers with their APEASE appraisal, and
the appraisal table that compares them.

APEASE: Acceptability, Practicability, Effectiveness, Affordability, Side-effects, Equity (Michie,
Atkins & West 2014, The Behaviour Change Wheel); each rated 1 (poor) – 5 (good) with a note.
"""

from dataclasses import dataclass, field

from ..models import APEASE, Focus, StrategyOption
from ..suggestions import catalogue_by_cluster


def option_with_appraisals(option):
    """One candidate strategy with its library item and appraisals, e.g. again after a write."""
    return StrategyOption.objects.select_related("item__pack").prefetch_related("appraisals").get(pk=option.pk)


def focused_barriers(iteration):
    return [f.barrier for f in Focus.objects.filter(iteration=iteration, barrier__isnull=False)
            .select_related("barrier__item__category", "barrier__item__pack").order_by("barrier__created_at", "pk")]


def options_for(project, barriers):
    """Candidate options of ``barriers`` with their appraisals, in two queries."""
    return list(StrategyOption.objects.filter(project=project, barrier__in=[b.pk for b in barriers])
                .select_related("item__category", "barrier__item").prefetch_related("appraisals"))


@dataclass
class AppraisalCell:
    criterion: str
    rating: int | None = None
    note: str = ""
    stakeholder_mean: float | None = None

    @property
    def css(self):
        return f"heat-{self.rating}" if self.rating else "heat-none"


@dataclass
class AppraisalRow:
    option: StrategyOption
    cells: list = field(default_factory=list)
    chosen: bool = False

    @property
    def rated(self):
        return [c.rating for c in self.cells if c.rating]

    @property
    def mean(self):
        return sum(self.rated) / len(self.rated) if self.rated else None

    @property
    def n_rated(self):
        return len(self.rated)


def appraisal_table(project, iteration, stakeholder=None, *, options=None):
    """Rows (options of the focused barriers) × APEASE cells.

    ``stakeholder`` is an optional {option_id: {criterion: mean}} (e.g. from the consultations app);
    its means are shown next to the team's rating, never mixed into it.
    """
    if options is None:
        options = options_for(project, focused_barriers(iteration))
    stakeholder = stakeholder or {}
    rows = []
    for option in options:
        by_criterion = {a.criterion: a for a in option.appraisals.all()}
        theirs = stakeholder.get(option.pk, {})
        cells = [AppraisalCell(criterion=c, rating=getattr(by_criterion.get(c), "rating", None),
                               note=getattr(by_criterion.get(c), "note", ""), stakeholder_mean=theirs.get(c))
                 for c in APEASE]
        rows.append(AppraisalRow(option=option, cells=cells,
                                 chosen=bool(iteration and iteration.chosen_option_id == option.pk)))
    return rows


def catalogue(pack, query=""):
    """The strategy catalogue ``pack`` by cluster, [(cluster or None, [items])] as
    ``suggestions.catalogue_by_cluster``, keeping only the strategies whose name, description or
    cluster contain ``query`` (case-insensitive, in any language: compared casefolded in Python,
    as the catalogue is a few dozen items)."""
    groups = catalogue_by_cluster(pack)
    words = query.casefold().split()
    if not words:
        return groups

    def matches(item, cluster):
        text = " ".join([item.name, item.description, cluster.name if cluster else ""]).casefold()
        return all(word in text for word in words)

    kept = [(cluster, [item for item in items if matches(item, cluster)]) for cluster, items in groups]
    return [(cluster, items) for cluster, items in kept if items]
