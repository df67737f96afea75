"""Kinds of evidence link and the rules each kind adds to a link (see docs/content-packs.md).

A link's kind is the ``link_kind`` of its links pack or its own ``kind``. Other kinds are accepted
as written; these are the ones Tailorkit's own packs use and the evidence pages know. Pure: no
database, so the pack checker (packfiles) can use it before anything is saved.
"""

from django.utils.translation import gettext as _

# Weight = percent of experts who endorsed the strategy for the barrier (CFIR–ERIC Matching Tool).
EXPERT_ENDORSEMENT = "expert_endorsement"
# The strategy is a level 1 or level 2 endorsement for the barrier in the Matching Tool's output;
# the source printed no percent, so the weight stays empty.
EXPERT_ENDORSEMENT_LEVEL12 = "expert_endorsement_level12"
# The two items, from different determinant lists (an iCBT determinant and a CFIR construct), cover
# the same ground. No weight; a one-line rationale is required.
CROSSWALK = "crosswalk"


def kind_problems(links):
    """(file, where, field, message) for every link that breaks its kind's rules."""
    problems = []
    for link in links:
        if link["kind"] != CROSSWALK:
            continue
        if link["weight"] is not None:
            field = "percent" if link["from_field"] == "construct" else "weight"
            problems.append((link["file"], link["where"], field, _(
                "a crosswalk link maps an item onto its counterpart and has no weight; leave it empty.")))
        if not link["rationale"]:
            problems.append((link["file"], link["where"], "rationale", _(
                "is required for a crosswalk link: say in one line why the two items match.")))
    return problems


def for_each_pack(links, from_packs):
    """One copy of each link per pack in ``from_packs``, for links that name no from_pack (None)."""
    expanded = []
    for link in links:
        if link["from_pack"] is not None:
            expanded.append(link)
        else:
            expanded.extend({**link, "from_pack": slug} for slug in from_packs)
    return expanded
