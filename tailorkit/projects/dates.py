"""The date rules of a project, in one place (issue 10): the task form, the success-criterion form,
the review form and the API all ask here, so a date refused in one is refused in all, with the same
words. A project file being imported is not checked against them: it records dates that were
accepted when they were typed (a start date may have moved later since), and the team's own export
must always import again.

- A task's due date and a success criterion's target date plan ahead: on or after the day the
  project started, and at most ``PLAN_YEARS_AHEAD`` years after today (a later date is almost
  always a typing slip, such as 2062 for 2026).
- A review records what already happened: on or after the day the project started, and not after
  today.

Dates in messages are written in the reader's format (``DATE_FORMAT`` of the active language),
never as 2026-03-03. The upper bounds move with today, so a date that was valid when it was written
stays valid later (an old project file still imports).
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PLAN_YEARS_AHEAD = 5


def shown(day):
    """``day`` as the reader writes dates, e.g. "3 March 2026" in British English."""
    return date_format(day, "DATE_FORMAT")


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plan_latest(today=None):
    """The last day a task or success criterion may be planned for."""
    return _years_after(today or timezone.localdate(), PLAN_YEARS_AHEAD)


def plan_date_help(started_on):
    """The rule for a planned date, shown under the field before anyone errs."""
    return ngettext(
        "A date on or after %(start)s, when the project started, and no more than %(n)d year ahead.",
        "A date on or after %(start)s, when the project started, and no more than %(n)d years ahead.",
        PLAN_YEARS_AHEAD) % {"start": shown(started_on), "n": PLAN_YEARS_AHEAD}


def plan_date_error(started_on, day, today=None):
    """The message for a due or target date that breaks the rule, or None when it is fine."""
    if day is None or not isinstance(day, datetime.date):
        return None
    if started_on and day < started_on:
        return _("Pick a date on or after %(start)s, when the project started.") % {"start": shown(started_on)}
    latest = plan_latest(today)
    if day > latest:
        return ngettext(
            "Pick a date no later than %(latest)s: plans reach at most %(n)d year ahead.",
            "Pick a date no later than %(latest)s: plans reach at most %(n)d years ahead.",
            PLAN_YEARS_AHEAD) % {"latest": shown(latest), "n": PLAN_YEARS_AHEAD}
    return None


def review_date_help(started_on):
    return _("The day the review took place: on or after %(start)s, when the project started, and not in "
             "the future.") % {"start": shown(started_on)}


def review_date_error(started_on, day, today=None):
    """The message for a review date that breaks the rule, or None when it is fine."""
    if day is None or not isinstance(day, datetime.date):
        return None
    if started_on and day < started_on:
        return _("Pick a date on or after %(start)s, when the project started.") % {"start": shown(started_on)}
    today = today or timezone.localdate()
    if day > today:
        return _("A review records what already happened: pick today (%(today)s) or an earlier day.") % {
            "today": shown(today)}
    return None
