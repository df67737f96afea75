"""A measure's page: the chart with its table, the signals in words, the downloads, the team's notes,
recalculating the limits, and what read-only members, outsiders and an empty measure see."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse

from tailorkit.measures import events, periods, selectors
from tailorkit.measures.models import Annotation, Baseline, Measure
from tailorkit.measures.services.measures import annotation_create, baseline_create
from tailorkit.measures.tests.factories import make_measure

STEADY = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 10, 9, 10, 11, 12, 9, 10, 11, 10]
FIRST = date(2024, 1, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def page_url(measure, name="measures:measure_detail"):
    return reverse(name, args=[measure.organisation.slug, measure.pk])


def month(i):
    """The label of the i-th month from FIRST: "Jan 2024" for 0."""
    start = FIRST
    for _i in range(i):
        start = periods.following("month", start)
    return periods.label("month", start)


def cells_of(html, period):
    """The cells of the table row of ``period``, as text."""
    start = html.index(f'<th scope="row">{period}</th>')
    row = html[start:html.index("</tr>", start)]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]


def section(html, heading_id):
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


@pytest.fixture
def beyond(org, alice, fresh_charts):
    """20 steady months, then one far above the limits."""
    return make_measure(org, alice, values=[*STEADY, 40], first=FIRST)


# --- The chart, its table and its signals --------------------------------------------------------

def test_it_shows_the_chart_with_its_alt_text_and_every_period_in_the_table(client_for, alice, beyond):
    html = client_for(alice).get(page_url(beyond)).content.decode()
    assert '<h2 id="chart-title">XmR chart (individual values)</h2>' in html
    figure = html[html.index("<figure"):html.index("</figure>")]
    assert '<img src="data:image/svg+xml;base64,' in figure
    assert 'alt="XmR chart (individual values) of Referrals to iCBT: 21 periods from Jan 2024 to Sep 2025, ' \
           'one signal."' in figure
    assert "<figcaption" in figure and "The table below gives the same numbers." in figure
    assert "<caption>Referrals to iCBT: 21 periods</caption>" in html
    for i, value in enumerate([*STEADY, 40]):
        assert cells_of(html, month(i))[:2] == [month(i), str(value)]
    # the centre line and the limits are columns of the table too: XmR limits from the first 20 months
    assert cells_of(html, month(0))[2:5] == ["10.1", "6.2", "14.0"]
    assert f'href="{reverse("measures:chart_rules")}"' in html


def test_it_says_each_signal_in_words_with_its_periods_and_a_shape(client_for, org, alice, fresh_charts):
    shifted = make_measure(org, alice, values=[10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 10,
                                               14, 15, 13, 14, 16, 14, 15, 13], first=FIRST)
    signals = section(client_for(alice).get(page_url(shifted)).content.decode(), "signals-title")
    assert ('<span class="signal signal-improvement"><span aria-hidden="true">▲</span> <strong>Improvement</strong>'
            '</span> (Jan 2025 to Aug 2025): 8 points in a row above the average from Jan 2025 to Aug 2025: '
            'a sign of improvement.') in signals
    # below the average where higher is better: a concern, pointing down
    assert '<span aria-hidden="true">▼</span> <strong>Concern</strong></span> (Jun 2024 to Dec 2024)' in signals


def test_a_point_beyond_the_limits_is_named_in_the_list_and_in_its_row(client_for, alice, beyond):
    html = client_for(alice).get(page_url(beyond)).content.decode()
    assert "1 point above the upper limit in Sep 2025: a sign of improvement." in section(html, "signals-title")
    assert cells_of(html, "Sep 2025")[-2] == "▲ Improvement: beyond a process limit"
    assert cells_of(html, "Aug 2025")[-2] == "–"


def test_a_steady_measure_says_there_is_no_signal(client_for, org, alice, fresh_charts):
    steady = make_measure(org, alice, values=STEADY, first=FIRST)
    assert "No signal:" in section(client_for(alice).get(page_url(steady)).content.decode(), "signals-title")


def test_a_proportion_shows_its_numerators_and_denominators(client_for, org, alice, fresh_charts):
    offered = make_measure(org, alice, name="Offered iCBT", kind=Measure.Kind.PROPORTION, values=[20, 30],
                           denominators=[50, 40], first=FIRST)
    html = client_for(alice).get(page_url(offered)).content.decode()
    assert '<th scope="col">Numerator</th><th scope="col">Denominator</th>' in html
    assert cells_of(html, "Feb 2024")[:4] == ["Feb 2024", "75.0 %", "30", "40"]
    assert "Lower limit" not in html  # two points: a run chart, no limits


# --- Downloads -----------------------------------------------------------------------------------

def test_the_chart_downloads_as_svg_and_png(client_for, alice, beyond):
    browser = client_for(alice)
    html = browser.get(page_url(beyond)).content.decode()
    svg = browser.get(page_url(beyond, "measures:measure_chart_svg"))
    assert page_url(beyond, "measures:measure_chart_svg") in html
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert ET.fromstring(svg.content).tag == "{http://www.w3.org/2000/svg}svg"
    png = browser.get(page_url(beyond, "measures:measure_chart_png"))
    assert png.status_code == 200 and png.content.startswith(PNG_SIGNATURE)
    assert 'filename="referrals-to-icbt-chart.png"' in png["Content-Disposition"]


def test_the_values_download_has_a_row_per_period_and_no_cell_a_spreadsheet_would_run(
        client_for, org, alice, beyond, monkeypatch):
    annotation_create(measure=beyond, actor=alice, period=date(2024, 3, 1), text="=cmd()")
    # An event whose label starts like a formula, on a period without a team note.
    monkeypatch.setattr(events, "_sources", [lambda measure: [events.Event(day=date(2024, 5, 2), label="=cmd()")]])
    html = client_for(alice).get(page_url(beyond)).content.decode()
    assert page_url(beyond, "measures:measure_values_csv") in html
    response = client_for(alice).get(page_url(beyond, "measures:measure_values_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Period" and rows[0][-1] == "Notes and events"
    assert [r[0] for r in rows[1:]] == [month(i) for i in range(21)]
    assert [r[2] for r in rows[1:]] == [str(float(v)) for v in [*STEADY, 40]]
    assert rows[3][-1] == "Note 1: =cmd()"
    assert rows[5][-1] == "'=cmd()"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- Notes ---------------------------------------------------------------------------------------

def test_a_note_added_through_the_form_is_listed_and_in_the_table(client_for, alice, beyond):
    browser = client_for(alice)
    response = browser.post(page_url(beyond, "measures:annotation_create"),
                            {"period": "2024-03", "text": "New referral form"})
    assert response.status_code == 302 and response.url == page_url(beyond)
    html = browser.get(page_url(beyond)).content.decode()
    assert "<strong>Mar 2024</strong>: New referral form" in section(html, "notes-title")
    assert cells_of(html, "Mar 2024")[-1] == "Note 1: New referral form"
    note = Annotation.objects.get(measure=beyond)
    assert reverse("measures:annotation_delete", args=[beyond.organisation.slug, note.pk]) in html


def test_a_note_on_a_period_that_does_not_exist_is_refused_at_the_field_keeping_the_text(
        client_for, alice, beyond):
    response = client_for(alice).post(page_url(beyond, "measures:annotation_create"),
                                      {"period": "2024-13", "text": "Clinic closed"})
    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(r'<small id="id_period_error" class="field-error" role="alert">(.*?)</small>', html)
    assert error and "has no month 13" in error.group(1)
    assert 'value="Clinic closed"' in html and 'value="2024-13"' in html
    assert not Annotation.objects.filter(measure=beyond).exists()


def test_deleting_a_note_asks_first(client_for, alice, beyond):
    note = annotation_create(measure=beyond, actor=alice, period=date(2024, 2, 1), text="Staff away")
    browser = client_for(alice)
    url = reverse("measures:annotation_delete", args=[beyond.organisation.slug, note.pk])
    html = browser.get(url).content.decode()
    assert "<h1>Delete this note?</h1>" in html and "<strong>Feb 2024</strong>: Staff away" in html
    assert '<form method="post">' in html and f'href="{page_url(beyond)}"' in html
    assert Annotation.objects.filter(pk=note.pk).exists()
    response = browser.post(url)
    assert response.status_code == 302 and response.url == page_url(beyond)
    assert not Annotation.objects.filter(pk=note.pk).exists()


# --- Recalculating the limits --------------------------------------------------------------------

NEW_PHASE = [19, 21, 20, 20, 19, 21, 20, 20, 19, 21, 20, 20]


def test_recalculating_the_limits_without_a_reason_is_refused_at_the_field(client_for, alice, beyond):
    response = client_for(alice).post(page_url(beyond, "measures:baseline_create"),
                                      {"first_period": "2025-09", "reason": "  "})
    assert response.status_code == 200
    assert ('<small id="id_reason_error" class="field-error" role="alert">Say why the limits are recalculated '
            'from here.</small>') in response.content.decode()
    assert not Baseline.objects.filter(measure=beyond).exists()


def test_recalculating_the_limits_changes_the_centre_line_and_keeps_the_reason(client_for, org, alice, fresh_charts):
    measure = make_measure(org, alice, values=[*STEADY, *NEW_PHASE], first=FIRST)
    browser = client_for(alice)
    last = month(len(STEADY) + len(NEW_PHASE) - 1)
    before = browser.get(page_url(measure)).content.decode()
    assert cells_of(before, last)[2] == "10.1"
    form = browser.get(page_url(measure, "measures:baseline_create")).content.decode()
    assert 'name="reason"' in form and "None yet" in form
    response = browser.post(page_url(measure, "measures:baseline_create"),
                            {"first_period": month(len(STEADY)), "reason": "Second therapist from September"})
    assert response.status_code == 302
    after = browser.get(page_url(measure)).content.decode()
    assert cells_of(after, last)[2] == "20.0" and cells_of(after, month(0))[2] == "10.1"
    phases = section(after, "baselines-title")
    assert "<strong>From Sep 2025</strong> (limits worked out from all its periods)" in phases
    assert "Second therapist from September" in phases and "Alice Lead" in phases
    [baseline] = selectors.baselines_of(measure)
    assert baseline.first_period == date(2025, 9, 1)
    earlier = browser.get(page_url(measure, "measures:baseline_create")).content.decode()
    assert "<strong>From Sep 2025</strong>: Second therapist from September" in earlier


def test_a_phase_with_a_fixed_baseline_names_its_periods(client_for, org, alice, fresh_charts):
    measure = make_measure(org, alice, values=[*STEADY, *NEW_PHASE], first=FIRST)
    baseline_create(measure=measure, actor=alice, first_period=date(2025, 9, 1), last_period=date(2026, 2, 1),
                    reason="New team")
    phases = section(client_for(alice).get(page_url(measure)).content.decode(), "baselines-title")
    assert "<strong>From Sep 2025</strong> (limits worked out from Sep 2025 to Feb 2026): New team" in phases


# --- Who sees what -------------------------------------------------------------------------------

def test_a_read_only_member_sees_the_chart_but_no_forms_and_cannot_post(client_for, alice, dave, beyond):
    note = annotation_create(measure=beyond, actor=alice, period=date(2024, 2, 1), text="Staff away")
    browser = client_for(dave)
    html = browser.get(page_url(beyond)).content.decode()
    assert "<figure" in html and "Staff away" in html
    for hidden in ('id="add-note"', page_url(beyond, "measures:annotation_create"),
                   page_url(beyond, "measures:baseline_create"), page_url(beyond, "measures:measure_values"),
                   page_url(beyond, "measures:measure_edit"), "Delete note"):
        assert hidden not in html
    delete_url = reverse("measures:annotation_delete", args=[beyond.organisation.slug, note.pk])
    assert browser.post(page_url(beyond, "measures:annotation_create"),
                        {"period": "2024-03", "text": "x"}).status_code == 403
    assert browser.post(page_url(beyond, "measures:baseline_create"),
                        {"first_period": "2024-03", "reason": "x"}).status_code == 403
    assert browser.get(delete_url).status_code == 403 and browser.post(delete_url).status_code == 403
    assert Annotation.objects.filter(measure=beyond).count() == 1
    assert not Baseline.objects.exists()


def test_a_measure_without_values_explains_how_to_add_them_and_draws_no_chart(client_for, org, alice, db):
    empty = make_measure(org, alice, name="Waiting time")
    browser = client_for(alice)
    html = browser.get(page_url(empty)).content.decode()
    assert "No values yet, so there is no chart." in html
    for way in ("type them in", "upload a spreadsheet", "through the API", "scores of a survey"):
        assert way in html
    assert page_url(empty, "measures:measure_values") in html and page_url(empty, "measures:measure_upload") in html
    main = html[html.index("<main"):]
    assert "<figure" not in main and "<svg" not in main and "data:image" not in main and "<table" not in main
    assert page_url(empty, "measures:measure_chart_svg") not in html
    assert browser.get(page_url(empty, "measures:measure_chart_svg")).status_code == 404


@pytest.mark.parametrize("name", ["measures:measure_detail", "measures:measure_chart_svg",
                                  "measures:measure_chart_png", "measures:measure_values_csv",
                                  "measures:baseline_create", "measures:annotation_create"])
def test_an_outsider_gets_not_found(client_for, mallory, beyond, name):
    browser = client_for(mallory)
    assert browser.get(page_url(beyond, name)).status_code == 404
    assert browser.post(page_url(beyond, name), {"first_period": "2024-03", "reason": "x", "text": "x"}
                        ).status_code == 404


def test_an_outsider_cannot_see_or_delete_a_note(client_for, alice, mallory, beyond):
    note = annotation_create(measure=beyond, actor=alice, period=date(2024, 2, 1), text="Staff away")
    url = reverse("measures:annotation_delete", args=[beyond.organisation.slug, note.pk])
    browser = client_for(mallory)
    assert browser.get(url).status_code == 404 and browser.post(url).status_code == 404
    assert Annotation.objects.filter(pk=note.pk).exists()
