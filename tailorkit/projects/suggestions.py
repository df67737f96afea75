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
    links = (Link.objects.filter(from_item_id__in=item_ids, to_item__pack_id=pack_id)
             .select_related("from_item", "to_item__category", "to_item__pack", "pack")) if item_ids else []
    chosen = (Iteration.objects.filter(organisation_id=project.organisation_id,
                                       chosen_option__barrier__item_id__in=item_ids)
              .exclude(project_id=project.pk)
              .select_related("project", "chosen_option__item__category", "chosen_option__item__pack",
                              "chosen_option__barrier")) if item_ids else []

    by_item = defaultdict(dict)           # determinant id → {strategy id: Suggestion}
    custom = defaultdict(set)
    for link in links:
        if link.to_item.is_retired:
            continue
        suggestion = by_item[link.from_item_id].setdefault(link.to_item_id, Suggestion(item=link.to_item))
        suggestion.evidence.append(Evidence(from_name=link.from_item.name, weight=link.weight, kind=link.kind,
                                            source=citation(link.source), pack_name=link.pack.name))
    for iteration in chosen:
        option = iteration.chosen_option
        determinant = option.barrier.item_id
        if option.item_id and option.item.pack_id == pack_id:
            suggestion = by_item[determinant].setdefault(option.item_id, Suggestion(item=option.item))
            if iteration.project.name not in suggestion.used_by:
                suggestion.used_by.append(iteration.project.name)
        elif not option.item_id:
            custom[determinant].add((option.custom_name, iteration.project.name))

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
