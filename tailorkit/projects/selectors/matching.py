"""Matching strategies: the candidates for the focused barriers with their APEASE appraisal, and
the appraisal table that compares them.

APEASE: Acceptability, Practicability, Effectiveness, Affordability, Side-effects, Equity (Michie,
Atkins & West 2014, The Behaviour Change Wheel); each rated 1 (poor) – 5 (good) with a note.
"""

from dataclasses import dataclass, field

from tailorkit.library.evidence import combined_ranking, evidence_for

from ..models import APEASE, Barrier, Focus, StrategyOption
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


# --- several barriers at once ------------------------------------------------------------------------

# Barriers a "what if" ranking may combine: the CFIR–ERIC Matching Tool itself suggests choosing a
# handful; more than this is refused with a message rather than read.
RANKING_MAX_BARRIERS = 20
BAR_WIDTH = 120   # px of the picture of each strategy's shares


@dataclass
class CombinedRanking:
    """Strategies ranked for several barriers at once (``library.evidence.combined_ranking``)."""

    barriers: list                                  # the project's barriers that have a determinant
    rows: list = field(default_factory=list)        # RankedStrategy, best first
    custom: list = field(default_factory=list)      # custom barriers: no evidence to combine
    what_if: bool = False                           # barriers ticked by the user, not the focus
    dropped: int = 0                                # asked-for ids that are not this project's
    limit: int | None = None                        # rows shown; None for all
    query: str = ""                                 # the page's query string, to ask for all rows

    @property
    def shown(self):
        return self.rows if self.limit is None else self.rows[:self.limit]

    @property
    def more(self):
        return len(self.rows) - len(self.shown)

    @property
    def has_indirect(self):
        return any(row.indirect_total for row in self.rows)

    @property
    def top_total(self):
        """The largest total, so a picture of each row's shares can use one scale."""
        return max((row.direct_total + row.indirect_total for row in self.rows), default=0)


def ranking_barriers(project, wanted_ids):
    """The project's barriers among ``wanted_ids`` (a 'what if' set), and how many ids were not."""
    given = {str(i).strip() for i in wanted_ids} - {""}
    # Only ids a database could hold are looked up; anything else (words, huge numbers) is simply
    # not this project's, and counted with the ids that are not.
    wanted = {int(i) for i in given if i.isdigit() and 0 < int(i) < 2**31}
    found = list(Barrier.objects.filter(project=project, pk__in=wanted)
                 .select_related("item__category", "item__pack").order_by("created_at", "pk"))
    return found, len(given) - len(found)


def combined_ranking_for(project, barriers, *, evidence=None, what_if=False, dropped=0):
    """The combined ranking of ``barriers`` (project Barrier rows), reading the evidence if not given."""
    with_item = [b for b in barriers if b.item_id]
    if evidence is None:
        evidence = evidence_for({b.item_id for b in with_item}, project.strategy_pack_id)
    rows = combined_ranking([(b.pk, b.item_id) for b in with_item], evidence)
    ranking = CombinedRanking(barriers=with_item, rows=rows, custom=[b for b in barriers if not b.item_id],
                              what_if=what_if, dropped=dropped)
    scale = BAR_WIDTH / ranking.top_total if ranking.top_total else 0
    for row in rows:
        row.cells = [row.shares.get(b.pk) for b in with_item]
        row.segments, x = [], 0.0
        for index, (barrier, share) in enumerate(zip(with_item, row.cells, strict=True)):
            if share and share.weight:
                width = share.weight * scale
                row.segments.append({"x": round(x, 1), "width": round(width, 1), "name": barrier.name,
                                     "weight": share.weight, "indirect": share.indirect, "tone": index % 6})
                x += width
    return ranking


def project_barriers_with_items(project):
    """Every barrier of the project that has a determinant: the choices of a 'what if' ranking."""
    return list(Barrier.objects.filter(project=project, item__isnull=False)
                .select_related("item__category").order_by("created_at", "pk"))
