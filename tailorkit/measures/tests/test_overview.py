"""The organisation's overview of its measures: a row each with a sparkline, the latest value and
signal, what needs attention, filters, paging and a constant number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tailorkit.measures import attention, periods, selectors
from tailorkit.measures.models import Measure
from tailorkit.measures.services.measures import measure_create
from tailorkit.measures.tests.factories import make_measure

STEADY = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 10, 9, 10, 11, 12, 9, 10, 11, 10]


def url(org, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("measures:measure_overview", args=[org.slug]) + (f"?{query}" if query else "")


def first_for(period, n, *, ending=None):
    """The start of the first of ``n`` periods whose last is ``ending`` (the last complete one)."""
    start = ending or selectors.last_complete_period(period, timezone.localdate())
    for _i in range(n - 1):
        start = selectors.previous_period(period, start)
    return start


def up_to_date(org, user, name, values, **kwargs):
    period = kwargs.get("period", Measure.Period.MONTH)
    return make_measure(org, user, name=name, values=values, first=first_for(period, len(values)), **kwargs)


def row_of(html, name):
    start = html.rindex("<tr", 0, html.index(name))
    return html[start:html.index("</tr>", start)]


def test_it_shows_each_measure_with_its_latest_value_its_period_and_a_sparkline(client_for, alice, org, fresh_charts):
    offered = up_to_date(org, alice, "Patients offered iCBT", [20, 22, 21, 30, 33, 31],
                         kind=Measure.Kind.PROPORTION, denominators=[50] * 6)
    html = client_for(alice).get(url(org)).content.decode()
    row = row_of(html, "Patients offered iCBT")
    assert "62.0 %" in row
    assert periods.label("month", selectors.last_complete_period("month", timezone.localdate())) in row
    assert reverse("measures:measure_detail", args=[org.slug, offered.pk]) in row
    assert '<img class="sparkline" src="data:image/svg+xml;base64,' in row and 'alt="Sparkline of' in row
    assert '<th scope="col">Latest signal</th>' in html


def test_it_shows_a_new_signal_in_words_with_a_shape_not_colour_alone(client_for, alice, org, fresh_charts):
    up_to_date(org, alice, "Referrals to iCBT", [*STEADY, 40], period=Measure.Period.WEEK)
    html = client_for(alice).get(url(org)).content.decode()
    row = row_of(html, "Referrals to iCBT")
    assert 'class="signal signal-improvement"' in row and "<strong>Improvement</strong>" in row
    assert '<span aria-hidden="true">▲</span>' in row
    latest = periods.label("week", selectors.last_complete_period("week", timezone.localdate()))
    assert f"New sign of improvement in {latest}." in row


def test_a_concern_on_a_measure_where_lower_is_better_points_up(client_for, alice, org, fresh_charts):
    up_to_date(org, alice, "Waiting time", [*STEADY, 40], kind=Measure.Kind.MEAN, better=Measure.Better.DOWN)
    row = row_of(client_for(alice).get(url(org)).content.decode(), "Waiting time")
    assert "<strong>Concern</strong>" in row and '<span aria-hidden="true">▲</span>' in row


def test_it_says_when_data_are_overdue_for_the_last_complete_period(client_for, alice, org, fresh_charts):
    today = timezone.localdate()
    make_measure(org, alice, name="Stopped counting", values=STEADY[:6],
                 first=date(today.year - 3, 1, 1))
    up_to_date(org, alice, "Counted every month", STEADY[:6])
    html = client_for(alice).get(url(org)).content.decode()
    due = periods.label("month", selectors.last_complete_period("month", today))
    assert f"Data overdue: no value for {due} yet." in row_of(html, "Stopped counting")
    assert "Data overdue" not in row_of(html, "Counted every month")


def test_a_measure_fed_by_a_consultation_is_never_overdue(alice, org):
    fed = make_measure(org, alice, name="Staff confidence", values=[3.1, 3.4], first=date(2020, 1, 1),
                       kind=Measure.Kind.MEAN)
    fed.feed_key = "consultation:1:nomad"
    [row] = selectors.overview_rows(org, [fed], today=timezone.localdate())
    assert not [a for a in row.attention if a.kind == attention.OVERDUE]


def test_the_attention_filter_keeps_only_the_measures_that_need_it(client_for, alice, org, fresh_charts):
    up_to_date(org, alice, "Quiet and current", STEADY)
    make_measure(org, alice, name="Long stopped", values=STEADY[:4], first=date(2020, 1, 1))
    measure_create(organisation=org, actor=alice, name="Nothing entered yet")
    html = client_for(alice).get(url(org, show="attention")).content.decode()
    assert "Long stopped" in html and "Nothing entered yet" in html and "Quiet and current" not in html
    assert "No values yet." in row_of(html, "Nothing entered yet")
    assert '<a href="?show=attention" aria-current="page">' in html
    everything = client_for(alice).get(url(org)).content.decode()
    assert "Quiet and current" in everything and '<a href="?" aria-current="page">' in everything


def test_with_nothing_needing_attention_the_filter_says_so(client_for, alice, org):
    up_to_date(org, alice, "Quiet and current", STEADY)
    html = client_for(alice).get(url(org, show="attention")).content.decode()
    assert "Nothing needs attention" in html and "Quiet and current" not in html


def test_a_registered_source_adds_what_it_knows(client_for, alice, org, fresh_charts):
    measure = up_to_date(org, alice, "Offered at assessment", STEADY)
    seen = []

    def criteria_past_due(organisation, measures, *, today):
        seen.append((organisation, [m.pk for m in measures]))
        return [attention.Attention(m.pk, "The date of “≥ 60 %” has passed.", url="/somewhere/")
                for m in measures if m.pk == measure.pk]

    attention.register(criteria_past_due)
    try:
        html = client_for(alice).get(url(org, show="attention")).content.decode()
    finally:
        attention.unregister(criteria_past_due)
    assert '<a href="/somewhere/">The date of “≥ 60 %” has passed.</a>' in row_of(html, "Offered at assessment")
    assert seen == [(org, [measure.pk])]


def test_it_pages_25_measures_at_a_time(client_for, alice, org):
    for i in range(27):
        measure_create(organisation=org, actor=alice, name=f"Measure {i:02d}")
    html = client_for(alice).get(url(org)).content.decode()
    assert "Measure 24" in html and "Measure 25" not in html and "Page 1 of 2" in html
    second = client_for(alice).get(url(org, page=2)).content.decode()
    assert "Measure 26" in second and "Measure 24" not in second
    filtered = client_for(alice).get(url(org, show="attention")).content.decode()
    assert 'href="?show=attention&page=2"' in filtered


def test_it_explains_measures_when_there_are_none_and_offers_to_define_one(client_for, alice, org):
    html = client_for(alice).get(url(org)).content.decode()
    assert "No measures yet." in html and "A measure is something your service counts" in html
    assert html.count(reverse("measures:measure_create", args=[org.slug])) == 2
    assert "Needs attention" not in html


def test_a_viewer_sees_the_measures_but_no_new_measure_button(client_for, alice, dave, org):
    up_to_date(org, alice, "Referrals to iCBT", STEADY)
    html = client_for(dave).get(url(org)).content.decode()
    assert "Referrals to iCBT" in html
    assert reverse("measures:measure_create", args=[org.slug]) not in html


def test_an_outsider_gets_404_and_never_sees_another_organisations_measures(client_for, alice, mallory, org):
    up_to_date(org, alice, "Referrals to iCBT", STEADY)
    assert client_for(mallory).get(url(org)).status_code == 404
    from tailorkit.core.models import Organisation
    elsewhere = Organisation.objects.get(memberships__user=mallory)
    assert "Referrals to iCBT" not in client_for(mallory).get(url(elsewhere)).content.decode()


def test_the_main_navigation_leads_to_the_measures_and_marks_the_page(client_for, alice, org):
    html = client_for(alice).get(url(org)).content.decode()
    nav = html[html.index('<nav aria-label="Main">'):html.index("</nav>")]
    assert f'<a href="{url(org)}" aria-current="page">Measures</a>' in nav
    other = client_for(alice).get(reverse("core:organisation_list")).content.decode()
    nav = other[other.index('<nav aria-label="Main">'):other.index("</nav>")]
    assert f'<a href="{url(org)}">Measures</a>' in nav


def test_sparklines_are_drawn_once_and_then_come_from_the_cache(client_for, alice, org, fresh_charts, drawings):
    up_to_date(org, alice, "Referrals to iCBT", STEADY)
    client = client_for(alice)
    client.get(url(org))
    drawn = len(drawings)
    client.get(url(org))
    assert drawn >= 1 and len(drawings) == drawn


def _queries(client, address):
    client.get(address)  # caches warm, like a second visit
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("show", ["", "attention"])
def test_the_page_reads_as_many_queries_for_30_measures_as_for_2(client_for, alice, org, show,
                                                                  django_assert_max_num_queries):
    client = client_for(alice)
    made = [make_measure(org, alice, name=f"Measure {i}", values=STEADY, first=date(2020, 1, 1),
                         kind=Measure.Kind.PROPORTION if i % 2 else Measure.Kind.COUNT,
                         denominators=[20] * len(STEADY) if i % 2 else None) for i in range(2)]
    small = _queries(client, url(org, show=show))
    made += [make_measure(org, alice, name=f"Measure {i}", values=STEADY, first=date(2020, 1, 1))
             for i in range(2, 30)]
    for measure in made[:3]:
        selectors.Baseline.objects.create(organisation=org, measure=measure, first_period=date(2020, 6, 1),
                                          reason="New referral form")
    client.get(url(org, show=show))
    with django_assert_max_num_queries(small):
        assert b"Measure 1" in client.get(url(org, show=show)).content
