"""Plain-language labels for pack attributes, so pages say "Expert importance 4.6 / 5 (Waltz 2015)"
instead of showing raw keys. Unknown keys still show, with a label made from the key."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Short names for the citation codes used in the packs' source columns (see shared/data/README.md).
CITATIONS = {
    "W15T1": "Waltz 2015, Table 1",
    "P15T3": "Powell 2015, Table 3",
    "W19T2": "Waltz 2019, Table 2",
    "DAM22T3": "Damschroder 2022, Table 3",
    "ALLEN2023_T3": "Allen 2023, Table 3",
    "Vis2018_T3": "Vis 2018, Table 3",
    "P11446052T4": "PMC11446052, Table 4",
    "P10592449T2": "PMC10592449, Table 2",
    "P7791817T3": "PMC7791817, Table 3",
    "Metz2021": "Metz 2021, Practice Guide",
    "Metz2021_Fig1": "Metz 2021, Practice Guide, Figure 1",
}
NOT_CHECKED = {"UNVERIFIED", "NOT_INDIVIDUALLY_READ"}

LABELS = {
    "mean_importance": gettext_lazy("Expert importance"),
    "mean_feasibility": gettext_lazy("Expert feasibility"),
    "go_zone_quadrant": gettext_lazy("Go-zone quadrant"),
    "strategy_no": gettext_lazy("Number in the ERIC list"),
    "n_strategies": gettext_lazy("Number of strategies"),
    "level1_strategies_n": gettext_lazy("Strategies recommended at level 1 (CFIR–ERIC Matching Tool)"),
    "level2_strategies_n": gettext_lazy("Strategies recommended at level 2 (CFIR–ERIC Matching Tool)"),
    "cfir_letter": gettext_lazy("Letter on cfirguide.org"),
    "cfir2009_code": gettext_lazy("Code in CFIR (2009)"),
    "order_in_group": gettext_lazy("Position in its group"),
    "parent_construct": gettext_lazy("Part of"),
    "retired": gettext_lazy("No longer in the current version of this pack"),
}
# Keys that say where another value came from; shown in brackets after that value.
SOURCE_OF = {"mean_importance": "values_source", "mean_feasibility": "values_source",
             "go_zone_quadrant": "quadrant_source"}
PROVENANCE_LABELS = {
    "cluster_source": gettext_lazy("Where the cluster membership comes from"),
    "name_source": gettext_lazy("Where the name comes from"),
    "confirmed_by": gettext_lazy("Name checked on"),
    "values_source": gettext_lazy("Where the ratings come from"),
    "quadrant_source": gettext_lazy("Where the quadrant comes from"),
}
# Shown for every item of a pack once any item has them, so a missing rating reads as missing.
RATINGS = ("mean_importance", "mean_feasibility", "go_zone_quadrant")


def citation(code):
    """Short name for a citation code; several codes may be joined by ';' or '+'."""
    code = str(code or "").strip()
    if code in NOT_CHECKED:
        return _("not yet confirmed in a source")
    parts = [p.strip() for p in re.split(r"[;+]", code) if p.strip()]
    return "; ".join(CITATIONS.get(p, p) for p in parts)


def _value(key, value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if key in ("mean_importance", "mean_feasibility"):
        return _("%(value)s / 5") % {"value": f"{value:g}"}
    return str(value)


def attribute_rows(attributes, *, item_source="", always=()):
    """[(label, text, url)] for an item's attributes: ratings first, then the rest, then provenance."""
    hidden = set(PROVENANCE_LABELS) | set(SOURCE_OF.values())
    keys = [k for k in RATINGS if k in attributes or k in always]
    keys += [k for k in attributes if k not in RATINGS and k not in hidden]
    rows = []
    for key in keys:
        label = LABELS.get(key) or key.replace("_", " ").capitalize()
        if key not in attributes:
            missing = _("not given in the source") if key == "go_zone_quadrant" else _("not rated in the source")
            rows.append((label, missing, ""))
            continue
        text = _value(key, attributes[key])
        src = attributes.get(SOURCE_OF.get(key, ""), "") or (item_source if key in SOURCE_OF else "")
        if src and src not in NOT_CHECKED:
            text = f"{text} ({citation(src)})"
        rows.append((label, text, ""))
    for key, label in PROVENANCE_LABELS.items():
        value = attributes.get(key)
        if value:
            url = value if str(value).startswith(("https://", "http://")) else ""
            rows.append((label, url or citation(value), url))
    return rows


def rated_keys(items):
    """Which rating keys any item in the list carries (decides what `attribute_rows` always shows)."""
    present = set()
    for item in items:
        present.update(k for k in RATINGS if k in item.attributes)
    return [k for k in RATINGS if k in present]
