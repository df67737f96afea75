"""The minimum-group-size rule, written once for every output that reports on people.

A result that describes fewer than ``threshold`` people is withheld. Every output that reports on
respondents (results pages, charts, CSV and XLSX files, the API, PDFs, values that flow into other
pages, and cross-site summaries) goes through the functions here, so the rule cannot differ between
them.

* ``withheld_groups`` decides which groups of an aggregate table are withheld: first every group
  with fewer than ``threshold`` members (primary suppression), then, while the withheld groups add
  up to fewer than ``threshold``, the smallest group still shown (secondary suppression). Without
  the second step a withheld group could be worked out as "total minus the groups shown" (the
  differencing problem of statistical disclosure control; Hundepool et al., *Statistical Disclosure
  Control*, Wiley 2012, ch. 5).
* ``mask_rows`` applies the same idea to row-level files (one row per respondent): the columns that
  could single someone out (their group, the questionnaire version they answered) are released
  only where every combination of released values is shared by at least ``threshold`` rows, so
  each row hides among at least ``threshold`` others (k-anonymity; Sweeney, *Int J Uncertain
  Fuzziness Knowl-Based Syst* 2002;10(5):557–570). With fewer rows than ``threshold`` in total there
  is nothing that can be released at all.

Hand-written rather than taken from a library: the statistical disclosure packages (sdcMicro,
ARX) are R and Java tools for whole microdata sets; what is needed here is two small, exact rules.
"""

from collections import Counter

from django.utils.translation import gettext as _

WITHHELD = "withheld"


def threshold_for(min_group_size):
    """The threshold in force: a minimum group size below 1 means 1 (every answer may be shown)."""
    return max(1, min_group_size or 1)


def withheld_groups(counts, threshold):
    """Groups whose result must be withheld, given ``{group: number of people}``.

    Groups with nobody in them are never withheld (there is nothing to protect) and never chosen
    for secondary suppression.
    """
    hidden = {g for g, n in counts.items() if 0 < n < threshold}
    while hidden and sum(counts[g] for g in hidden) < threshold:
        shown = sorted((n, str(g), g) for g, n in counts.items() if g not in hidden and n > 0)
        if not shown:
            break
        hidden.add(shown[0][2])
    return hidden


def total_withheld(total, threshold):
    """True when a total of ``total`` people is too small to report anything about them."""
    return total < threshold


def mask_rows(keys, threshold, *, mask=WITHHELD):
    """Release the identifying columns of row-level data without singling anyone out.

    ``keys`` holds one tuple per row: the values of the columns that could identify the person
    (most useful first). Returns the tuples to write, in the same order, where a value that cannot
    be released is replaced by ``mask``. Raises ``ValueError`` when there are fewer rows than the
    threshold: such a file cannot be released at all.

    The first column keeps every value shared by enough rows (``withheld_groups`` with secondary
    suppression, so the masked rows are themselves at least ``threshold``). Each further column is
    kept only if every combination of the kept columns still occurs at least ``threshold`` times;
    otherwise its small values are masked in the same way and the check is repeated; if that still
    fails, the whole column is masked.
    """
    keys = [tuple(k) for k in keys]
    if total_withheld(len(keys), threshold):
        raise ValueError("fewer rows than the threshold")
    width = len(keys[0]) if keys else 0
    released = [[] for _k in keys]
    for column in range(width):
        values = [k[column] for k in keys]
        hidden = withheld_groups(Counter(values), threshold)
        candidate = [mask if v in hidden else v for v in values]
        if not _every_combination_shared(released, candidate, threshold):
            candidate = [mask] * len(keys)
        for row, value in zip(released, candidate, strict=True):
            row.append(value)
    return [tuple(r) for r in released]


def _every_combination_shared(released, column, threshold):
    combinations = Counter(tuple(prefix) + (value,) for prefix, value in zip(released, column, strict=True))
    return all(n >= threshold for n in combinations.values())


def withheld_note(threshold, group=None):
    """The note shown in place of a withheld result (overall when ``group`` is None)."""
    if group is None:
        return _("Fewer than %(k)s answers in total: withheld to protect anonymity.") % {"k": threshold}
    return _("Fewer than %(k)s answers from the group “%(group)s”: withheld to protect anonymity.") % {
        "k": threshold, "group": group}


def secondary_note(group):
    """The note shown in place of a result withheld by secondary suppression."""
    return _("%(who)s: withheld so that a smaller group's answers cannot be worked out from the others.") % {
        "who": group}
