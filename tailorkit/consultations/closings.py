"""Telling the apps above the engine that a consultation has closed.

A consultation closes by hand (``delivery.consultation_close``) or when its closing time passes. An
app that made it may want to act once it has (projects add a record of the survey to the project's
engagement log, issue 17) but the engine must not import that app (the layers contract in
``pyproject.toml``). So the app registers a listener from its ``AppConfig.ready``, and the engine calls
every listener exactly once per consultation: at once when it is closed by hand, and from the
periodic reminder job (``delivery.closings_announce_due``) for one whose closing time passed.
``Consultation.closing_announced_at`` records that it was told, so a missed or doubled tick does no harm.

A listener takes the consultation and runs inside the engine's transaction: if it raises, the
announcement is rolled back with it and tried again on the next tick.
"""

_listeners = []


def register(listener):
    """Call ``listener(consultation)`` once when a consultation has closed."""
    if listener not in _listeners:
        _listeners.append(listener)


def announce(consultation):
    for listener in _listeners:
        listener(consultation)
