"""Reads for the support log (issue 14, point 4): what a site received and what a supporter gave.

A contact belongs to the site's organisation: its members see the support their site received;
its author sees their own contacts across sites. Totals are counted by the database in a fixed
number of queries, whatever the number of contacts."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from tailorkit.core.permissions import organisations_for
from tailorkit.projects.models import Project

from .models import FollowUp, SupportContact, SupportKind

# Months shown in the picture of contacts over time.
MONTHS = 12
BAR_HEIGHT, BAR_STEP = 100, 40


@dataclass
class KindTotal:
    kind: str
    label: str
    contacts: int
    minutes: int

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


def totals_by_kind(contacts):
    """Contacts and time per kind of support (every kind, zeros included): one query."""
    rows = {r["kind"]: r for r in contacts.order_by().values("kind").annotate(n=Count("pk"), m=Sum("minutes"))}
    return [KindTotal(kind, label, rows.get(kind, {}).get("n", 0), rows.get(kind, {}).get("m") or 0)
            for kind, label in SupportKind.choices]


def _month_starts(today, n):
    months, year, month = [], today.year, today.month
    for _i in range(n):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def by_month(contacts, today=None):
    """The last ``MONTHS`` months, oldest first: (month, {kind: contacts}, total). One query."""
    months = _month_starts(today or timezone.localdate(), MONTHS)
    counts = {}
    rows = (contacts.filter(contact_on__gte=months[0]).order_by().annotate(month=TruncMonth("contact_on"))
            .values("month", "kind").annotate(n=Count("pk")))
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        counts.setdefault(month, {})[row["kind"]] = row["n"]
    table = [(m, [(k, counts.get(m, {}).get(k, 0)) for k, _label in SupportKind.choices]) for m in months]
    table = [(m, kinds, sum(n for _k, n in kinds)) for m, kinds in table]
    peak = max(total for _m, _kinds, total in table)
    # The bars of the picture: per month, its stacked pieces as (kind, y, height) in a 100-high box.
    bars = []
    for i, (m, kinds, total) in enumerate(table):
        y, pieces = BAR_HEIGHT, []
        for kind, n in kinds:
            if n:
                h = BAR_HEIGHT * n / peak
                y -= h
                pieces.append((kind, round(y, 2), round(h, 2)))
        bars.append({"x": i * BAR_STEP, "month": m, "pieces": pieces, "top": round(y - 3, 2), "total": total})
    return {"months": table, "peak": peak, "bars": bars, "width": MONTHS * BAR_STEP}


def site_contacts(organisation):
    return (SupportContact.objects.filter(organisation=organisation)
            .select_related("organisation", "supporter", "project"))


def site_overview(organisation):
    """What the site's support page shows beside its list of contacts."""
    contacts = SupportContact.objects.filter(organisation=organisation)
    supporters = (contacts.order_by().values("supporter__name", "supporter__email")
                  .annotate(n=Count("pk"), m=Sum("minutes")).order_by("-m")[:50])
    projects = (Project.objects.filter(organisation=organisation).exclude(status=Project.Status.ARCHIVED)
                .annotate(contacts=Count("support_contacts")).order_by("name")[:50])
    return {
        "today": timezone.localdate(),
        "kinds": totals_by_kind(contacts),
        "timeline": by_month(contacts),
        "supporters": [{"name": s["supporter__name"] or s["supporter__email"], "contacts": s["n"],
                        "hours": round((s["m"] or 0) / 60, 1)} for s in supporters],
        "projects": projects,
        "follow_ups": list(FollowUp.objects.filter(organisation=organisation, done=False)
                           .select_related("contact__supporter").order_by("due_on", "pk")[:20]),
    }


def _mine(user):
    """The user's contacts with the organisations they still belong to."""
    return SupportContact.objects.filter(supporter=user, organisation__in=organisations_for(user))


def my_contacts(user):
    return _mine(user).select_related("organisation", "project")


def my_overview(user):
    """What a supporter's own log page shows: totals per site and kind, open follow-ups, and the
    sites where they may log a contact."""
    contacts = _mine(user)
    per_site = (contacts.order_by().values("organisation__name", "organisation__slug")
                .annotate(n=Count("pk"), m=Sum("minutes")).order_by("organisation__name")[:100])
    return {
        "today": timezone.localdate(),
        "kinds": totals_by_kind(contacts),
        "timeline": by_month(contacts),
        "per_site": [{"name": s["organisation__name"], "slug": s["organisation__slug"], "contacts": s["n"],
                      "hours": round((s["m"] or 0) / 60, 1)} for s in per_site],
        "follow_ups": list(FollowUp.objects.filter(contact__in=contacts, done=False)
                           .select_related("organisation").order_by("due_on", "pk")[:20]),
        "sites": list(organisations_for(user, "comment").order_by("name")[:100]),
    }
