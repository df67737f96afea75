"""``{% cycle_steps as steps %}``: the four steps of the cycle from the step registry, for the
process map that every project page shows (``projects/_layout.html``)."""

from django import template

from .. import steps

register = template.Library()


@register.simple_tag
def cycle_steps():
    return steps.CYCLE
