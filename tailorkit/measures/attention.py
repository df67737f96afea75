"""What needs attention on the overview of measures, as told by apps above the engine.

The engine itself finds a new signal and data overdue (``selectors.overview_rows``). Other things
are known only above it: a success criterion tied to a measure whose date has passed belongs to
``projects``, which the engine must not import. So ``projects`` registers a source in its
``AppConfig.ready()``, the same way it registers events for the charts (``measures.events``)::

    from tailorkit.measures import attention
    attention.register(criteria_past_due)

A source is a function ``(organisation, measures, *, today) → iterable of Attention``. It is called
once per overview page with every measure the page looks at (up to the whole organisation's for the
"needs attention" filter), so it must read them all in a query or two, never one per measure.
"""

from collections import defaultdict
from dataclasses import dataclass

OVERDUE, SIGNAL, NO_DATA, CRITERION = "overdue", "signal", "no_data", "criterion"

_sources = []


@dataclass(frozen=True)
class Attention:
    measure_id: int
    words: str         # translated, short: "The target date of “≥ 60 % offered iCBT” has passed (31 Mar 2025)."
    url: str = ""      # where to act on it, if anywhere
    kind: str = CRITERION


def register(source):
    if source not in _sources:
        _sources.append(source)


def unregister(source):
    if source in _sources:
        _sources.remove(source)


def attention_from_sources(organisation, measures, *, today):
    """``{measure id: [Attention]}`` from every registered source."""
    found = defaultdict(list)
    measures = list(measures)
    if not measures:
        return found
    for source in _sources:
        for item in source(organisation, measures, today=today):
            found[item.measure_id].append(item)
    return found
