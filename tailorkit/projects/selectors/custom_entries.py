"""The closest items for a team's custom barriers and strategies (issue 12, point 5).

A custom barrier is compared with the project's own determinant list, a custom strategy with the
project's own strategy catalogue (never another pack, never a retired item), by
``tailorkit.library.similarity`` (the method and its measured hit rates: docs/matching.md). Items
already on the list (for a barrier) or already candidates for the same barrier (for a strategy)
are left out: linking to them would make a duplicate.

"Keep as written" is recorded in the audit log (``KEPT_ACTION``, see
``services/custom_entries.py``) with the wording the team kept; the suggestions stay hidden for
that entry until its wording changes.
"""

from dataclasses import dataclass

from tailorkit.core.models import AuditEvent
from tailorkit.library import similarity
from tailorkit.library.models import Item

from ..models import Barrier, StrategyOption

KEPT_ACTION = "custom_entry_kept"
SHOWN = 3  # the suggestions shown for an entry: the measured figure is the top-3 hit rate


@dataclass
class Closest:
    """One suggestion for a custom entry: the item, its score (0–1) and why it came up."""

    item: Item
    score: float
    why: str


def kept_target(entry):
    """The audit log's name for a custom barrier or strategy option."""
    kind = "barrier" if isinstance(entry, Barrier) else "option"
    return f"{kind}:{entry.pk}"


def matcher(pack):
    """The prepared matcher of ``pack``'s current items (kept while the pack and its items stay
    the same: the key holds the pack's checksum and the items' ids)."""
    items = list(Item.objects.filter(pack=pack).exclude(attributes__has_key="retired")
                 .select_related("pack", "category"))
    return similarity.matcher_for(("projects", pack.pk, pack.checksum, tuple(i.pk for i in items)), items)


def _kept(project, entries):
    """The entries whose current wording the team chose to keep."""
    if not entries:
        return set()
    by_target = {kept_target(e): e for e in entries}
    events = AuditEvent.objects.filter(organisation_id=project.organisation_id, action=KEPT_ACTION,
                                       target__in=list(by_target)).values_list("target", "details")
    return {by_target[target].pk for target, details in events
            if (details or {}).get("name") == by_target[target].custom_name}


def _closest(pack_matcher, text, taken):
    found = [Closest(item=m.item, score=m.score, why=m.why)
             for m in pack_matcher.closest(text, k=SHOWN + len(taken)) if m.item.pk not in taken]
    return found[:SHOWN]


def _open_custom(project, entries):
    """The custom entries among ``entries`` (barriers or options) of ``project`` not kept as written."""
    custom = [e for e in entries if e.item_id is None and e.project_id == project.pk]
    kept = _kept(project, custom)
    return [e for e in custom if e.pk not in kept]


def barrier_suggestions(project, barriers):
    """{barrier id: [Closest]} for the custom barriers among ``barriers`` (not kept as written)."""
    custom = _open_custom(project, barriers)
    if not custom:
        return {}
    pack_matcher = matcher(project.determinant_pack)
    on_list = set(Barrier.objects.filter(project=project, item__isnull=False).values_list("item_id", flat=True))
    return {b.pk: _closest(pack_matcher, b.custom_name, on_list) for b in custom}


def option_suggestions(project, options):
    """{option id: [Closest]} for the custom strategy options among ``options`` (not kept as written)."""
    custom = _open_custom(project, options)
    if not custom:
        return {}
    pack_matcher = matcher(project.strategy_pack)
    taken = {}
    for barrier_id, item_id in StrategyOption.objects.filter(
            project=project, barrier_id__in={o.barrier_id for o in custom}, item__isnull=False
    ).values_list("barrier_id", "item_id"):
        taken.setdefault(barrier_id, set()).add(item_id)
    return {o.pk: _closest(pack_matcher, o.custom_name, taken.get(o.barrier_id, set())) for o in custom}
