"""What a consultation was made for, as a link back to it: filled in by the app that made it.

The engine sits below the apps that use it and must not import them (``pyproject.toml``, the
layers contract), yet a consultation made from a project step should lead back to that step. A
consultation names its subject only as ``subject_type``/``subject_id``; the app that writes a
``subject_type`` registers, from its ``AppConfig.ready``, one function that turns such a
consultation into a link. The engine's pages call ``subject_link`` and show what it returns; they
never learn what a project is.

A describer takes the consultation and returns ``{"label": str, "url": str}`` or None (the subject
was deleted, or belongs to another organisation). It must not reveal anything the consultation's
readers may not see: every member of an organisation may read its projects, and a describer checks
that the subject belongs to the consultation's organisation.
"""

_describers = {}


def register(subject_type, describe):
    """Let ``describe(consultation)`` name the subject of consultations of ``subject_type``."""
    _describers[subject_type] = describe


def subject_link(consultation):
    """``{"label", "url"}`` of what ``consultation`` was made for, or None."""
    describe = _describers.get(consultation.subject_type)
    if describe is None or consultation.subject_id is None:
        return None
    return describe(consultation)


# The list of all consultations. The engine has a questionnaire list of its own; the app above it
# that knows what consultations are for (projects: with their project and step) registers the page
# that lists them, and the engine's "All consultations" links lead there.
_overview_url_name = None


def register_overview(url_name):
    """Let the page ``url_name`` (taking the organisation's slug) be the list of all consultations."""
    global _overview_url_name
    _overview_url_name = url_name


def overview_url_name():
    """The URL name of the list of all consultations, or None when no app registered one."""
    return _overview_url_name
