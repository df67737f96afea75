"""The grid of periods: typing values, refused rows at their fields, removing a value, stale edits."""

import re
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from tailorkit.measures import periods
from tailorkit.measures.models import Measure, Observation
from tailorkit.measures.services.observations import observations_save
from tailorkit.measures.tests.factories import make_measure


def grid_url(measure, end=None):
    address = reverse("measures:measure_values", args=[measure.organisation.slug, measure.pk])
    return address + (f"?end={end}" if end else "")


def fields_of(html):
    """The form's fields as a browser would send them untouched (inputs with a value)."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="checkbox"' in tag or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name[1]] = value[1] if value else ""
    return data


def index_of(html, label):
    """The row number (``value_<n>``) of the period shown as ``label``."""
    row = html[html.index(f'<th scope="row">{label}'):]
    return int(re.search(r'name="value_(\d+)"', row)[1])


def test_the_grid_shows_two_years_of_months_ending_now_with_the_stored_values(client_for, org, alice):
    this_month = periods.start_of(periods.MONTH, timezone.localdate())
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    measure = make_measure(org, alice, values=[17], first=last_month)
    html = client_for(alice).get(grid_url(measure)).content.decode()
    assert html.count('name="value_') == 24
    assert periods.label(periods.MONTH, this_month) in html
    row = html[html.index(f'<th scope="row">{periods.label(periods.MONTH, last_month)}'):]
    assert re.search(r'name="value_\d+"[^>]*value="17"', row[:row.index("</tr>")])
    assert 'name="remove_' in html and "no value yet" in html
    assert 'src="/static/measures/grid.js"' in html


def test_typed_values_are_saved_at_once_and_saving_again_changes_nothing(client_for, org, alice):
    measure = make_measure(org, alice)
    client = client_for(alice)
    html = client.get(grid_url(measure, "2025-06-01")).content.decode()
    data = fields_of(html)
    data[f"value_{index_of(html, 'Mar 2025')}"] = "12"
    data[f"value_{index_of(html, 'Apr 2025')}"] = "14,5"
    response = client.post(grid_url(measure, "2025-06-01"), data, follow=True)
    assert "Values saved: 2 new." in response.content.decode()
    stored = dict(Observation.objects.filter(measure=measure).values_list("period_start", "numerator"))
    assert stored == {date(2025, 3, 1): 12, date(2025, 4, 1): 14.5}
    assert set(Observation.objects.values_list("source", flat=True)) == {Observation.Source.GRID}
    again = client.post(grid_url(measure, "2025-06-01"), fields_of(response.content.decode()), follow=True)
    assert "Nothing to save" in again.content.decode()
    assert Observation.objects.get(period_start=date(2025, 3, 1)).version == 1


def test_a_bad_value_is_refused_at_its_row_and_nothing_is_saved_or_lost(client_for, org, alice):
    measure = make_measure(org, alice, kind=Measure.Kind.PROPORTION)
    client = client_for(alice)
    html = client.get(grid_url(measure, "2025-06-01")).content.decode()
    data = fields_of(html)
    jan, feb = index_of(html, "Jan 2025"), index_of(html, "Feb 2025")
    data.update({f"value_{jan}": "30", f"denominator_{jan}": "50", f"value_{feb}": "40", f"denominator_{feb}": "20"})
    response = client.post(grid_url(measure, "2025-06-01"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert not Observation.objects.exists()
    feb_row = page[page.index('<th scope="row">Feb 2025'):]
    feb_row = feb_row[:feb_row.index("</tr>")]
    assert "smaller than the numerator" in feb_row and 'class="field-error"' in feb_row
    assert re.search(rf'name="value_{jan}"[^>]*value="30"', page)      # what was typed is still there
    data[f"value_{feb}"] = "many"
    data[f"denominator_{feb}"] = "60"
    page = client.post(grid_url(measure, "2025-06-01"), data).content.decode()
    assert "“many” is not a number" in page and not Observation.objects.exists()


def test_a_stored_value_is_removed_only_when_ticked(client_for, org, alice):
    measure = make_measure(org, alice, values=[5], first=date(2025, 2, 1))
    client = client_for(alice)
    html = client.get(grid_url(measure, "2025-06-01")).content.decode()
    data = fields_of(html)
    feb = index_of(html, "Feb 2025")
    data[f"value_{feb}"] = ""
    page = client.post(grid_url(measure, "2025-06-01"), data).content.decode()
    assert "tick “Remove”" in page and Observation.objects.filter(measure=measure).count() == 1
    data[f"remove_{feb}"] = "on"
    response = client.post(grid_url(measure, "2025-06-01"), data, follow=True)
    assert "1 removed" in response.content.decode()
    assert not Observation.objects.filter(measure=measure).exists()
    assert Observation.history.filter(period_start=date(2025, 2, 1), history_type="-").exists()


def test_a_value_changed_by_someone_else_meanwhile_is_not_overwritten_silently(client_for, org, alice, bob):
    measure = make_measure(org, alice, values=[5], first=date(2025, 2, 1))
    client = client_for(alice)
    html = client.get(grid_url(measure, "2025-06-01")).content.decode()
    observations_save(measure=measure, actor=bob, rows=[{"period": date(2025, 2, 1), "numerator": 9}])
    data = fields_of(html)
    feb = index_of(html, "Feb 2025")
    data[f"value_{feb}"] = "7"
    response = client.post(grid_url(measure, "2025-06-01"), data)
    page = response.content.decode()
    assert response.status_code == 409 and "Someone else saved this" in page and "is now 9" in page
    assert Observation.objects.get(measure=measure).numerator == 9
    assert re.search(rf'name="value_{feb}"[^>]*value="7"', page)       # the typing is kept
    client.post(grid_url(measure, "2025-06-01"), fields_of(page))          # saving again is a decision
    assert Observation.objects.get(measure=measure).numerator == 7


def test_earlier_periods_page_back_and_weeks_show_half_a_year(client_for, org, alice):
    measure = make_measure(org, alice, period=Measure.Period.WEEK)
    html = client_for(alice).get(grid_url(measure, "2025-03-12")).content.decode()
    assert html.count('name="value_') == 26 and "2025-W11" in html and "2024-W38" in html
    assert "2025-W12" not in html and "2024-W37" not in html
    assert 'href="?end=2024-09-09"' in html                              # the week before the first shown


def test_a_viewer_cannot_open_the_grid_and_an_outsider_does_not_see_it(client_for, org, alice, dave, mallory):
    measure = make_measure(org, alice)
    assert client_for(dave).get(grid_url(measure)).status_code == 403
    assert client_for(mallory).get(grid_url(measure)).status_code == 404
    assert client_for(mallory).post(grid_url(measure), {"end": "2025-01-01"}).status_code == 404
