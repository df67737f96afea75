"""``plain_number``: a number as people write it, without needless decimals (issue 10): 40 rather
than 40.00, 12.5 rather than 12.50, 1,500 rather than 1500.00, with the decimal and thousands
separators of the active language. For targets, scores and counts in any template:

    {% load plain_numbers %}{{ criterion.target_value|plain_number }} {{ criterion.target_unit }}

``plain_number`` is also a plain function for Python code (messages, exports to people)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter(name="plain_number")
def plain_number(value, places=2):
    """``value`` rounded to at most ``places`` decimals (2 unless given: ``|plain_number:1``), with
    trailing zeros dropped; "" for None or "", anything that is not a number unchanged."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value is None or value == "" else value
    try:
        number = Decimal(str(value))
        places = int(places)
    except (InvalidOperation, TypeError, ValueError):
        return value
    if not number.is_finite():
        return value
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize()
    decimals = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=decimals, force_grouping=True)
