"""Template helpers for results pages and for the respondent form of a later consensus round.

On the respondent form, with ``feedback = previous_round_feedback(consultation)`` (``services.rounds``)
in the context::

    {% load consultation_results %}
    {% round_feedback feedback question.key %}
"""

from django import template

from ..services.rounds import feedback_for

register = template.Library()


@register.inclusion_tag("consultations/results/_round_feedback.html")
def round_feedback(feedback, key):
    return {"item": feedback_for(feedback or {}, key)}


@register.filter
def percent(share):
    """0.8 → 80 (for agreement shares)."""
    return None if share is None else round(100 * share)
