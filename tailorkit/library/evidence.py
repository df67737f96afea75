"""Expert evidence that links determinants to strategies, read directly or through a crosswalk, and
the combined ranking of strategies for several barriers at once.

Direct evidence is a link from the determinant itself to a strategy (for example the share of
experts in the CFIR–ERIC Matching Tool who endorsed the strategy for that CFIR construct). Indirect
evidence comes through a crosswalk: a determinant of one list (an iCBT determinant) is linked to its
counterpart in another list (a CFIR construct), and the counterpart's direct evidence is shown "via"
it. Only one step is taken, so every indirect figure names the one counterpart it came through, and
indirect figures are never added to direct ones.

Combined ranking, after the CFIR–ERIC Matching Tool (Waltz TJ, Powell BJ, Fernández ME, Abadie B,
Damschroder LJ. Choosing implementation strategies to address contextual barriers: diversity in
recommendations and future directions. Implement Sci. 2019;14:42; the rule as applied by Allen et
al. 2023, Table 3): for each strategy, the experts' endorsement percentages for each selected
barrier are added up ("cumulative percent"), with each barrier's share kept. Tailorkit ranks:

1. by the summed direct percentages;
2. then by the summed indirect percentages (through a crosswalk);
3. then by the number of barriers for which the strategy is endorsed without a percentage given
   (a level 1 or 2 endorsement whose percentage the source does not print);
4. then by the strategy's expert importance rating (Waltz et al. 2015, Table 1), unrated last;
5. then by name.

For one barrier and one strategy, when several sources give a percentage, the highest is used, and
when several counterparts do, the highest is used and named. Nothing is estimated: a pair with no
figure in any source has no share.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext_lazy

from .display import citation
from .linkkinds import CROSSWALK, EXPERT_ENDORSEMENT, EXPERT_ENDORSEMENT_LEVEL12
from .models import Item, Link

# Link kinds: see linkkinds.py.
EXPERT_SHARE = EXPERT_ENDORSEMENT                # weight = % of experts endorsing
EXPERT_LEVEL = EXPERT_ENDORSEMENT_LEVEL12        # endorsed at level 1 or 2, % not given


@dataclass(frozen=True, slots=True)
class Endorsement:
    """One piece of evidence that a strategy helps with a determinant."""

    strategy_id: int
    weight: float | None
    kind: str
    source: str          # readable citation, e.g. "Allen 2023, Table 3"
    pack_name: str
    from_name: str       # the determinant the link starts from (the counterpart when indirect)
    via: str = ""        # the crosswalk counterpart's name, "" for direct evidence
    via_rationale: str = ""
    via_source: str = ""

    @property
    def indirect(self):
        return bool(self.via)

    @property
    def is_expert_share(self):
        return self.kind == EXPERT_SHARE and self.weight is not None


@dataclass
class Evidence:
    """Everything read for a set of determinants: {determinant id: [Endorsement]} and the strategies."""

    by_item: dict = field(default_factory=dict)
    strategies: dict = field(default_factory=dict)     # strategy id -> Item
    counterparts: dict = field(default_factory=dict)   # determinant id -> [(name, rationale, source)]


def evidence_for(item_ids, strategy_pack_id):
    """Direct and crosswalk evidence from the determinants ``item_ids`` to strategies of one pack.

    Three queries whatever the number of determinants and links: the crosswalk links touching the
    determinants (either way round: a crosswalk says two constructs cover the same ground), the
    evidence links from the determinants and their counterparts, and the strategies they point to.
    Links are read as plain tuples (most point to the same few dozen strategies; a full row per
    link joined to four models was most of the step 2 page's time).
    """
    item_ids = {i for i in item_ids if i}
    result = Evidence()
    if not item_ids or not strategy_pack_id:
        return result
    crosswalks = Link.objects.filter(kind=CROSSWALK).filter(
        Q(from_item_id__in=item_ids) | Q(to_item_id__in=item_ids)
    ).values_list("from_item_id", "from_item__name", "to_item_id", "to_item__name", "rationale", "source")
    via = defaultdict(dict)   # determinant id -> {counterpart id: (name, rationale, source)}
    for a, a_name, b, b_name, rationale, source in crosswalks:
        if a in item_ids and b != a:
            via[a].setdefault(b, (b_name, rationale, citation(source)))
        if b in item_ids and a != b:
            via[b].setdefault(a, (a_name, rationale, citation(source)))
    reached = item_ids | {c for found in via.values() for c in found}
    links = list(Link.objects.filter(from_item_id__in=reached, to_item__pack_id=strategy_pack_id)
                 .exclude(kind=CROSSWALK)
                 .values_list("from_item_id", "from_item__name", "to_item_id", "weight", "kind", "source",
                              "pack__name"))
    strategy_ids = {link[2] for link in links}
    strategies = {item.pk: item for item in Item.objects.filter(pk__in=strategy_ids)
                  .select_related("category", "pack").only("name", "code", "attributes", "category__name",
                                                          "pack__slug")} if strategy_ids else {}
    citations = {}
    out_of = defaultdict(list)   # any determinant id -> [(link tuple with citation)]
    for from_id, from_name, to_id, weight, kind, source, pack_name in links:
        if strategies[to_id].is_retired:
            continue
        if source not in citations:
            citations[source] = citation(source)
        out_of[from_id].append((to_id, weight, kind, citations[source], pack_name, from_name))
    for item_id in item_ids:
        found = [Endorsement(*row) for row in out_of.get(item_id, ())]
        for counterpart, (name, rationale, source) in sorted(via.get(item_id, {}).items(), key=lambda c: c[1][0]):
            found += [Endorsement(*row, via=name, via_rationale=rationale, via_source=source)
                      for row in out_of.get(counterpart, ())]
        result.by_item[item_id] = found
        result.counterparts[item_id] = sorted(via.get(item_id, {}).values())
    result.strategies = strategies
    return result


# --- the combined ranking ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Share:
    """One barrier's part in a strategy's combined score."""

    weight: float | None      # percent of experts; None when only a level is known
    indirect: bool
    via: str
    source: str


class ExpertRatings:
    """The strategy's (``self.item``) expert importance and feasibility, where the source gives them
    (Waltz et al. 2015, Table 1), and where they come from."""

    @property
    def mean_importance(self):
        return self.item.attributes.get("mean_importance")

    @property
    def mean_feasibility(self):
        return self.item.attributes.get("mean_feasibility")

    @property
    def ratings_source(self):
        return citation(self.item.attributes.get("values_source", ""))


@dataclass
class RankedStrategy(ExpertRatings):
    item: Item
    shares: dict = field(default_factory=dict)   # barrier key -> Share
    direct_total: float = 0.0
    indirect_total: float = 0.0
    level_only: int = 0

    @property
    def sources(self):
        return sorted({s.source for s in self.shares.values()})

    def sort_key(self):
        importance = self.mean_importance
        return (-round(self.direct_total, 6), -round(self.indirect_total, 6), -self.level_only,
                importance is None, -(importance or 0), self.item.name.lower())


def _better(current, e):
    """Is ``e`` a better figure than ``current`` for one barrier and strategy? Direct over indirect
    (the two never mix), then a percentage over a bare level, then the higher percentage."""
    if current is None:
        return True
    if current.indirect != e.indirect:
        return current.indirect
    has, had = e.weight is not None and e.kind == EXPERT_SHARE, current.weight is not None
    if has != had:
        return has
    return has and e.weight > current.weight


def combined_ranking(barriers, evidence):
    """Strategies ranked for several barriers at once (see the module's rule).

    ``barriers`` is [(key, determinant id)]: the key names the barrier in ``shares`` (a project's
    barrier id, or the determinant id itself). Pure computation on ``evidence`` (``evidence_for``):
    one pass over the endorsements, keeping the best figure per barrier and strategy.
    """
    ranked = {}
    for key, item_id in barriers:
        best = {}   # strategy id -> Share
        for e in evidence.by_item.get(item_id, ()):
            if e.kind != EXPERT_SHARE and e.kind != EXPERT_LEVEL:
                continue
            if e.kind == EXPERT_SHARE and e.weight is None:
                continue
            current = best.get(e.strategy_id)
            if _better(current, e):
                best[e.strategy_id] = Share(weight=e.weight if e.kind == EXPERT_SHARE else None,
                                            indirect=e.indirect, via=e.via, source=e.source)
        for strategy_id, share in best.items():
            row = ranked.get(strategy_id)
            if row is None:
                row = ranked[strategy_id] = RankedStrategy(item=evidence.strategies[strategy_id])
            row.shares[key] = share
            if share.weight is None:
                row.level_only += 1
            elif share.indirect:
                row.indirect_total += share.weight
            else:
                row.direct_total += share.weight
    return sorted(ranked.values(), key=RankedStrategy.sort_key)


COMBINED_RULE = gettext_lazy(
    "For each strategy, the experts' endorsement percentages for the selected barriers are added up, "
    "as in the CFIR–ERIC Matching Tool, and each barrier's share is shown. Direct evidence ranks "
    "first; evidence reached through a crosswalk (marked “via”) is added up apart and ranks next; "
    "then the number of barriers for which the strategy is endorsed with no percentage given; then "
    "the experts' importance rating. A blank cell means no source gives a figure.")
