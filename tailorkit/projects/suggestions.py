"""Suggested strategies for a barrier, each with the reasons behind it (issue 3, point 4).

Nothing is invented: a strategy is suggested only because of (a) an evidence link in the library
from the barrier's own determinant to that strategy (e.g. the CFIR–ERIC expert endorsements
reported by Allen et al. 2023), (b) such a link from the determinant's counterpart in another list,
reached through a crosswalk and shown as indirect ("via ..."), or (c) another project of the same
organisation chose it for the same determinant. The strategy's expert importance and feasibility
(Waltz et al. 2015, Table 1) are shown where the source gives them, and break ties, but never
suggest a strategy on their own.

Ranking rule (shown on the page as ``RANKING_RULE``):
1. the strongest direct evidence link first (highest weight, e.g. % of experts endorsing it);
   strategies with indirect evidence only come after, by their strongest indirect link;
2. then how many other projects of the organisation chose it for this determinant;
3. then the expert importance rating of the strategy (strategies not rated in the source last);
4. then the name.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tailorkit.library.evidence import ExpertRatings, evidence_for
from tailorkit.library.models import Item

from .models import Iteration

RANKING_RULE = _("Suggestions are ranked by the strongest evidence link first (for example the share of "
                 "experts who endorsed the strategy for this barrier). Evidence for a related barrier of "
                 "another list, reached through a crosswalk, is marked “indirect” and ranked after direct "
                 "evidence. Then by how many other projects of "
                 "your organisation chose it for the same barrier, then by the experts' importance rating "
                 "of the strategy. A strategy is only suggested because of evidence or your organisation's "
                 "own choices; the expert ratings never suggest a strategy on their own.")


@dataclass
class Suggestion(ExpertRatings):
    item: Item
    evidence: list = field(default_factory=list)
    used_by: list = field(default_factory=list)    # names of other projects that chose it
    option_id: int | None = None                   # already a candidate of this barrier

    @property
    def best_weight(self):
        """The highest direct percentage (indirect evidence is ranked after, never mixed in)."""
        weights = [e.weight for e in self.evidence if e.weight is not None and not e.indirect]
        return max(weights) if weights else None

    @property
    def best_indirect_weight(self):
        weights = [e.weight for e in self.evidence if e.weight is not None and e.indirect]
        return max(weights) if weights else None

    @property
    def direct(self):
        return [e for e in self.evidence if not e.indirect]

    @property
    def indirect(self):
        return [e for e in self.evidence if e.indirect]

    def sort_key(self):
        importance = self.mean_importance
        return (not self.evidence, not self.direct, -(self.best_weight or 0), -(self.best_indirect_weight or 0),
                -len(self.used_by), importance is None, -(importance or 0), self.item.name.lower())


@dataclass
class BarrierSuggestions:
    barrier: object
    suggestions: list = field(default_factory=list)
    custom_used_by: list = field(default_factory=list)   # (strategy name, project name) chosen elsewhere
    counterparts: list = field(default_factory=list)     # crosswalk counterparts: (name, rationale, source)

    @property
    def has_evidence(self):
        return bool(self.suggestions)


def suggestions_for(project, barriers, options=(), *, evidence=None):
    """{barrier id: BarrierSuggestions} for ``barriers`` in a fixed number of queries.

    ``evidence`` is the library's ``evidence_for`` of the barriers' determinants when the caller has
    read it already (the step page reads it once for these suggestions and the combined ranking).
    """
    item_ids = {b.item_id for b in barriers if b.item_id}
    pack_id = project.strategy_pack_id
    if evidence is None:
        evidence = evidence_for(item_ids, pack_id)
    # The barrier's organisation is named though it can only be the iteration's: without it
    # PostgreSQL starts from every barrier of that determinant in every organisation and reads the
    # whole options table (25 ms in an organisation of 1,000 projects on the large dataset; 1 ms with
    # it). Unordered: the names are sorted below.
    # The chosen strategy comes with the row (joined), so strategies chosen elsewhere that no evidence
    # names need no query of their own: the count stays the same whatever was chosen.
    chosen = list(Iteration.objects.filter(organisation_id=project.organisation_id,
                                           chosen_option__barrier__organisation_id=project.organisation_id,
                                           chosen_option__barrier__item_id__in=item_ids)
                  .exclude(project_id=project.pk).order_by()
                  .select_related("project", "chosen_option__barrier", "chosen_option__item__category",
                                  "chosen_option__item__pack")
                  .only("project__name", "chosen_option__barrier__item_id", "chosen_option__custom_name",
                        "chosen_option__item__name", "chosen_option__item__code",
                        "chosen_option__item__attributes", "chosen_option__item__pack_id",
                        "chosen_option__item__category__name", "chosen_option__item__pack__slug")) if item_ids else []
    items = dict(evidence.strategies)
    for it in chosen:
        option = it.chosen_option
        if option.item_id and option.item.pack_id == pack_id:
            items.setdefault(option.item_id, option.item)
    chosen = [(it.project.name, it.chosen_option.barrier.item_id, it.chosen_option.item_id,
               it.chosen_option.item.pack_id if it.chosen_option.item_id else None, it.chosen_option.custom_name)
              for it in chosen]

    by_item = defaultdict(dict)           # determinant id → {strategy id: Suggestion}
    custom = defaultdict(set)
    for determinant, found in evidence.by_item.items():
        for endorsement in found:
            suggestion = by_item[determinant].setdefault(endorsement.strategy_id,
                                                         Suggestion(item=items[endorsement.strategy_id]))
            suggestion.evidence.append(endorsement)
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
                                                custom_used_by=sorted(custom.get(barrier.item_id, ())),
                                                counterparts=evidence.counterparts.get(barrier.item_id, []))
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
