"""Events that apps above the engine draw on a measure's chart, without the engine importing them.

``projects`` registers a source in its ``AppConfig.ready()``: a function ``(measure) → [Event]``
(the start of an iteration, the strategy chosen, tasks done, decisions of the projects that use the
measure). ``events_for(measure)`` gathers them for the chart beside the team's own notes."""

from dataclasses import dataclass
from datetime import date

_sources = []


@dataclass(frozen=True)
class Event:
    day: date
    label: str        # short, translated: "Strategy chosen: Audit and feedback"
    url: str = ""     # where the event is recorded
    kind: str = "event"  # "start" marks the moment a strategy started (a vertical line on the chart)


def register(source):
    if source not in _sources:
        _sources.append(source)


def events_for(measure):
    found = []
    for source in _sources:
        found.extend(source(measure))
    return sorted(found, key=lambda e: e.day)
