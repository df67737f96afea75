"""Suggested strategies for a barrier, each with the reasons behind it (issue 3, point 4).

Nothing is invented: a strategy is suggested only because of (a) an evidence link in the library
from the barrier's own determinant to that strategy (e.g. the CFIR–ERIC expert endorsements
reported by Allen et al. 2023), or (b) another project of the same organisation chose it for the
same determinant. The strategy's expert importance and feasibility (Waltz et al. 2015, Table 1)
are shown where the source gives them, and break ties, but never suggest a strategy on their own.

Ranking rule (shown on the page as ``RANKING_RULE``):
1. the strongest evidence link first (highest weight, e.g. % of experts endorsing it);
2. then how many other projects of the organisation chose it for this determinant;
3. then the expert importance rating of the strategy (strategies not rated in the source last);
4. then the name.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tailorkit.library.display import citation
from tailorkit.library.models import Item, Link

from .models import Iteration

RANKING_RULE = _("Suggestions are ranked by the strongest evidence link first (for example the share of "
                 "experts who endorsed the strategy for this barrier), then by how many other projects of "
                 "your organisation chose it for the same barrier, then by the experts' importance rating "
                 "of the strategy. A strategy is only suggested because of evidence or your organisation's "
                 "own choices; the expert ratings never suggest a strategy on their own.")


@dataclass
class Evidence:
    from_name: str
    weight: float | None
    kind: str
    source: str          # a readable citation, e.g. "Allen 2023, Table 3"
    pack_name: str

    @property
    def is_expert_share(self):
        return self.kind == "expert_endorsement" and self.weight is not None


@dataclass
class Suggestion:
    item: Item
    evidence: list = field(default_factory=list)
    used_by: list = field(default_factory=list)    # names of other projects that chose it
    option_id: int | None = None                   # already a candidate of this barrier

    @property
    def best_weight(self):
        weights = [e.weight for e in self.evidence if e.weight is not None]
        return max(weights) if weights else None

    @property
    def mean_importance(self):
        return self.item.attributes.get("mean_importance")

    @property
    def mean_feasibility(self):
        return self.item.attributes.get("mean_feasibility")

    @property
    def ratings_source(self):
        return citation(self.item.attributes.get("values_source", ""))

    def sort_key(self):
        importance = self.mean_importance
        return (not self.evidence, -(self.best_weight or 0), -len(self.used_by),
                importance is None, -(importance or 0), self.item.name.lower())


@dataclass
class BarrierSuggestions:
    barrier: object
    suggestions: list = field(default_factory=list)
    custom_used_by: list = field(default_factory=list)   # (strategy name, project name) chosen elsewhere

    @property
    def has_evidence(self):
        return bool(self.suggestions)


def suggestions_for(project, barriers, options=()):
    """{barrier id: BarrierSuggestions} for ``barriers`` in a fixed number of queries."""
    item_ids = {b.item_id for b in barriers if b.item_id}
    pack_id = project.strategy_pack_id
    # The links (hundreds for ten barriers) are read as plain tuples of the columns shown, and each
    # strategy once, rather than as model rows joined to four models each: most links point to the
    # same few dozen strategies, so loading a full Item per link was most of the page's time.
    links = (Link.objects.filter(from_item_id__in=item_ids, to_item__pack_id=pack_id)
             .values_list("from_item_id", "from_item__name", "to_item_id", "weight", "kind", "source",
                          "pack__name")) if item_ids else []
    # The barrier's organisation is named though it can only be the iteration's: without it
    # PostgreSQL starts from every barrier of that determinant in every organisation and reads the
    # whole options table (25 ms in an organisation of 1,000 projects on the large dataset; 1 ms with
    # it). Unordered: the names are sorted below.
    chosen = (Iteration.objects.filter(organisation_id=project.organisation_id,
                                       chosen_option__barrier__organisation_id=project.organisation_id,
                                       chosen_option__barrier__item_id__in=item_ids)
              .exclude(project_id=project.pk).order_by()
              .values_list("project__name", "chosen_option__barrier__item_id", "chosen_option__item_id",
                           "chosen_option__item__pack_id", "chosen_option__custom_name")) if item_ids else []
    links, chosen = list(links), list(chosen)
    strategy_ids = {link[2] for link in links} | {c[2] for c in chosen if c[2] and c[3] == pack_id}
    items = {item.pk: item for item in Item.objects.filter(pk__in=strategy_ids).select_related("category", "pack")
             .only("name", "code", "attributes", "category__name", "pack__slug")} if strategy_ids else {}
    citations = {}                        # a source is cited by many links: format it once

    by_item = defaultdict(dict)           # determinant id → {strategy id: Suggestion}
    custom = defaultdict(set)
    for from_id, from_name, to_id, weight, kind, source, pack_name in links:
        if items[to_id].is_retired:
            continue
        if source not in citations:
            citations[source] = citation(source)
        suggestion = by_item[from_id].setdefault(to_id, Suggestion(item=items[to_id]))
        suggestion.evidence.append(Evidence(from_name=from_name, weight=weight, kind=kind,
                                            source=citations[source], pack_name=pack_name))
    for project_name, determinant, strategy_id, strategy_pack_id, custom_name in chosen:
        if strategy_id and strategy_pack_id == pack_id:
            suggestion = by_item[determinant].setdefault(strategy_id, Suggestion(item=items[strategy_id]))
            if project_name not in suggestion.used_by:
                suggestion.used_by.append(project_name)
        elif not strategy_id:
            custom[determinant].add((custom_name, project_name))

    option_ids = {(o.barrier_id, o.item_id): o.pk for o in options if o.item_id}
    result = {}
    for barrier in barriers:
        suggestions = sorted(by_item.get(barrier.item_id, {}).values(), key=Suggestion.sort_key) \
            if barrier.item_id else []
        for suggestion in suggestions:
            suggestion.used_by.sort()
            suggestion.option_id = option_ids.get((barrier.pk, suggestion.item.pk))
        result[barrier.pk] = BarrierSuggestions(barrier=barrier, suggestions=suggestions,
                                                custom_used_by=sorted(custom.get(barrier.item_id, ())))
    return result


def catalogue_by_cluster(pack):
    """The whole strategy catalogue as [(category or None, [items])], in the pack's order."""
    items = Item.objects.filter(pack=pack).select_related("category", "pack").order_by(
        "category__order", "category__code", "order", "code")
    groups, index = [], {}
    for item in items:
        if item.is_retired:
            continue
        key = item.category_id
        if key not in index:
            index[key] = len(groups)
            groups.append((item.category, []))
        groups[index[key]][1].append(item)
    return groups
