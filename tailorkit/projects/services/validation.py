"""Checks shared by the services of the cycle: text lengths, ratings, and that a write goes to the
current iteration."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import Iteration


def length_errors(model, values):
    """Text length limits for every caller: forms enforce them, but the API and importers do not,
    and ``full_clean`` does not check ``TextField.max_length``. Returns {field: message}."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if limit and isinstance(value, str) and len(value) > limit:
            errors[name] = _("Keep this to %(n)d characters or fewer (it has %(m)d).") % {"n": limit, "m": len(value)}
    return errors


def check_lengths(model, values):
    """Refuse text over its length limit (``length_errors`` as a ValidationError)."""
    errors = length_errors(model, values)
    if errors:
        raise ValidationError(errors)


def parse_rating(value, label):
    """A rating is a whole number from 1 to 5; returns it, or raises ValueError with a message."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(_("%(label)s must be a whole number from 1 to 5, not “%(value)s”.")
                         % {"label": label, "value": value}) from None
    if not 1 <= number <= 5:
        raise ValueError(_("%(label)s must be from 1 to 5, not %(value)d.") % {"label": label, "value": number})
    return number


def check_current(iteration):
    """Lock the iteration and refuse unless it is the project's newest one.

    Earlier iterations are the record of what the team did before it went back, so they stay
    readable but never change. The row lock serialises an edit with a concurrent decision that
    starts the next iteration, so nothing can be written into an iteration after the team has left it.
    """
    Iteration.objects.select_for_update().filter(pk=iteration.pk).first()
    if Iteration.objects.filter(project_id=iteration.project_id, number__gt=iteration.number).exists():
        raise ValidationError(_("Iteration %(n)d is an earlier iteration: it can be read but no longer changed. "
                                "Work in the current iteration instead.") % {"n": iteration.number})
