"""Checks shared by the step services."""

from django.utils.translation import gettext as _


def length_errors(model, values):
    """Text length limits for every caller: forms enforce them, but the API and importers do not,
    and ``full_clean`` does not check ``TextField.max_length``. Returns {field: message}."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if limit and isinstance(value, str) and len(value) > limit:
            errors[name] = _("Keep this to %(n)d characters or fewer (it has %(m)d).") % {"n": limit, "m": len(value)}
    return errors
