"""Periods of a measure (day, week, month) and the value a chart plots for one period.

A period is stored as the date it starts: the day itself, the Monday of an ISO week, the first of a
month. People may write a period as a date inside it (2025-03-17), an ISO week (2025-W12) or a
month (2025-03, 03/2025, Mar 2025); ``parse`` turns each into its start or refuses it.
"""

import re
from datetime import date, datetime, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

DAY, WEEK, MONTH = "day", "week", "month"

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")


def start_of(period, day):
    """The start of the period of kind ``period`` that holds ``day``."""
    if isinstance(day, datetime):
        day = day.date()
    if period == WEEK:
        return day - timedelta(days=day.weekday())
    if period == MONTH:
        return day.replace(day=1)
    return day


def following(period, start):
    """The start of the period after the one starting at ``start``."""
    if period == WEEK:
        return start + timedelta(days=7)
    if period == MONTH:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


def between(period, first, last):
    """Every period start from ``first``'s period to ``last``'s, in order."""
    current, last = start_of(period, first), start_of(period, last)
    while current <= last:
        yield current
        current = following(period, current)


def parse(period, text):
    """The start of the period ``text`` names; ``ValueError`` with a message a person can act on."""
    if isinstance(text, datetime):
        return start_of(period, text.date())
    if isinstance(text, date):
        return start_of(period, text)
    text = str(text or "").strip()
    if not text:
        raise ValueError(_("The period is empty."))
    if m := _ISO_WEEK.match(text):
        if period != WEEK:
            _not_a(period, text)
        try:
            return date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            raise ValueError(_("“%(text)s” is not a week of that year.") % {"text": text}) from None
    for pattern, year, month in ((_YEAR_MONTH, 1, 2), (_MONTH_YEAR, 2, 1)):
        if (m := pattern.match(text)) and len(text) <= 7:
            if period != MONTH:
                return _not_a(period, text)
            if not 1 <= int(m[month]) <= 12:
                raise ValueError(_("“%(text)s” has no month %(month)s.") % {"text": text, "month": m[month]})
            return date(int(m[year]), int(m[month]), 1)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%b %Y", "%B %Y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return start_of(period, parsed)
    raise ValueError(_("“%(text)s” is not a period we recognise: write a date such as 2025-03-17%(more)s.")
                     % {"text": text[:40], "more": {WEEK: _(" or a week such as 2025-W12"),
                                                    MONTH: _(" or a month such as 2025-03")}.get(period, "")})


def _not_a(period, text):
    raise ValueError(_("“%(text)s” is not a %(period)s: this measure is counted by %(period)s.")
                     % {"text": text, "period": label_of_kind(period)})


def label_of_kind(period):
    return {DAY: _("day"), WEEK: _("week"), MONTH: _("month")}[period]


def label(period, start):
    """How a period is written on charts and in tables: 2025-03-17, 2025-W12, Mar 2025."""
    if period == WEEK:
        year, week, _day = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == MONTH:
        return formats.date_format(start, "M Y")
    return start.isoformat()


def plotted_value(kind, numerator, denominator, rate_per=1):
    """The value the chart shows: counts and means as entered, proportions in per cent, rates per
    ``rate_per`` of the denominator; ``None`` when a proportion's or rate's denominator is zero."""
    if kind in ("proportion", "rate"):
        if not denominator:
            return None
        return numerator / denominator * (100 if kind == "proportion" else rate_per)
    return numerator
