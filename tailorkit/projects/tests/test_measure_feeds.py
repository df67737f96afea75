"""A measure fed by a survey's instrument scores (issue 13): one value per wave, none for a wave
under the minimum group size, and refreshing twice changes nothing."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from tailorkit.consultations.models import Consultation
from tailorkit.consultations.services.instruments import instrument_questionnaire_create
from tailorkit.consultations.tests.factories import add_response, make_consultation
from tailorkit.measures.models import Measure, Observation
from tailorkit.measures.tests.factories import make_measure
from tailorkit.projects.measure_feeds import measure_feed_refresh, measure_feed_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org, alice):
    return instrument_questionnaire_create(organisation=org, actor=alice, instrument="aim_iam_fim")


@pytest.fixture
def mean_measure(org, alice):
    return make_measure(org, alice, name="Acceptability of iCBT", kind=Measure.Kind.MEAN)


def wave(org, alice, questionnaire, scores, *, closed=None, title="Wave", min_group_size=5, day=date(2025, 1, 10)):
    """A consultation of ``questionnaire`` with one response per score (every item alike)."""
    consultation, _token = make_consultation(org, alice, questionnaire, title=title, min_group_size=min_group_size)
    for score in scores:
        add_response(consultation, {f"{scale}{i}": score for scale in ("aim", "iam", "fim") for i in range(1, 5)},
                     day=day)
    if closed:
        Consultation.objects.filter(pk=consultation.pk).update(closes_at=datetime.combine(closed, datetime.min.time(),
                                                                                          tzinfo=UTC).replace(hour=12))
    return consultation


def stored(measure):
    return {o.period_start: (round(o.numerator, 4), o.denominator, o.source)
            for o in Observation.objects.filter(measure=measure)}


def test_each_wave_gives_the_mean_of_its_scale_in_the_period_it_closed(org, alice, survey, mean_measure):
    wave(org, alice, survey, [4, 4, 5, 5, 3], closed=date(2025, 1, 20), title="January")
    wave(org, alice, survey, [2, 3, 3, 4, 3, 5], closed=date(2025, 4, 2), title="April")
    _measure, counts = measure_feed_set(measure=mean_measure, actor=alice, questionnaire=survey, scale="aim")
    assert counts == {"created": 2, "updated": 0, "unchanged": 0, "withheld": 0}
    assert stored(mean_measure) == {date(2025, 1, 1): (4.2, 5.0, "feed"), date(2025, 4, 1): (3.3333, 6.0, "feed")}
    assert Measure.objects.get(pk=mean_measure.pk).feed_key == f"consultation:{survey.pk}:aim"


def test_a_wave_with_fewer_respondents_than_the_minimum_group_size_gives_no_value(org, alice, survey, mean_measure):
    wave(org, alice, survey, [4, 4, 5, 5, 3], closed=date(2025, 1, 20))
    wave(org, alice, survey, [1, 1, 2, 1], closed=date(2025, 2, 20), title="Too few")  # 4 < 5
    _measure, counts = measure_feed_set(measure=mean_measure, actor=alice, questionnaire=survey, scale="aim")
    assert counts["withheld"] == 1 and counts["created"] == 1
    assert list(stored(mean_measure)) == [date(2025, 1, 1)]


def test_refreshing_twice_changes_nothing(org, alice, survey, mean_measure):
    wave(org, alice, survey, [4, 4, 5, 5, 3], closed=date(2025, 1, 20))
    wave(org, alice, survey, [3, 3, 3, 3, 3], closed=date(2025, 3, 20))
    measure, _counts = measure_feed_set(measure=mean_measure, actor=alice, questionnaire=survey, scale="aim")
    before = stored(measure), Observation.history.count(), list(Observation.objects.values_list("version", flat=True))
    assert measure_feed_refresh(measure=measure, actor=alice) == {"created": 0, "updated": 0, "unchanged": 2,
                                                                  "withheld": 0}
    assert measure_feed_refresh(measure=measure, actor=alice)["unchanged"] == 2
    assert (stored(measure), Observation.history.count(),
            list(Observation.objects.values_list("version", flat=True))) == before


def test_a_new_answer_in_an_open_wave_updates_its_value_in_the_period_of_the_latest_answer(org, alice, survey,
                                                                                             mean_measure):
    open_wave = wave(org, alice, survey, [4, 4, 4, 4, 4], day=date(2025, 5, 3))
    measure, _counts = measure_feed_set(measure=mean_measure, actor=alice, questionnaire=survey, scale="aim")
    assert stored(measure) == {date(2025, 5, 1): (4.0, 5.0, "feed")}
    add_response(open_wave, {f"aim{i}": 1 for i in range(1, 5)}, day=date(2025, 5, 9))
    assert measure_feed_refresh(measure=measure, actor=alice)["updated"] == 1
    assert stored(measure) == {date(2025, 5, 1): (3.5, 6.0, "feed")}


def test_two_waves_in_one_period_are_pooled(org, alice, survey, mean_measure):
    wave(org, alice, survey, [4, 4, 4, 4, 4], closed=date(2025, 6, 3))
    wave(org, alice, survey, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2], closed=date(2025, 6, 28))
    measure_feed_set(measure=mean_measure, actor=alice, questionnaire=survey, scale="aim")
    assert stored(mean_measure) == {date(2025, 6, 1): (round(40 / 15, 4), 15.0, "feed")}


def test_only_a_mean_measure_and_a_scale_of_the_instrument_can_be_fed(org, alice, survey, mean_measure, mallory):
    counted = make_measure(org, alice, name="Referrals")
    with pytest.raises(Exception, match="mean"):
        measure_feed_set(measure=counted, actor=alice, questionnaire=survey, scale="aim")
    with pytest.raises(Exception, match="scales"):
        measure_feed_set(measure=mean_measure, actor=alice, questionnaire=survey, scale="coherence")
    theirs = instrument_questionnaire_create(organisation=mallory.memberships.get().organisation, actor=mallory,
                                             instrument="aim_iam_fim")
    with pytest.raises(Exception, match="questionnaire of this organisation"):
        measure_feed_set(measure=mean_measure, actor=alice, questionnaire=theirs, scale="aim")
    assert Measure.objects.get(pk=mean_measure.pk).feed_key == ""


def test_a_measure_with_typed_values_is_not_mixed_with_a_survey(org, alice, survey):
    typed = make_measure(org, alice, kind=Measure.Kind.MEAN, values=[3.5])
    with pytest.raises(Exception, match="values already"):
        measure_feed_set(measure=typed, actor=alice, questionnaire=survey, scale="aim")


# --- The page ----------------------------------------------------------------------------------------

def feed_url(measure, name="projects:measure_feed"):
    return reverse(name, args=[measure.organisation.slug, measure.pk])


def test_the_page_says_what_to_do_when_there_is_no_instrument_questionnaire(client_for, alice, mean_measure):
    page = client_for(alice).get(feed_url(mean_measure))
    assert page.status_code == 200
    assert "no questionnaire made from a validated instrument" in page.content.decode()
    assert 'name="scale"' not in page.content.decode()


def test_a_lead_chooses_the_survey_and_fetches_again_on_the_page(client_for, alice, org, survey, mean_measure):
    wave(org, alice, survey, [4, 4, 5, 5, 3], closed=date(2025, 1, 20), title="January wave")
    wave(org, alice, survey, [1, 1, 1], closed=date(2025, 2, 20), title="Small wave")
    client = client_for(alice)
    answer = client.post(feed_url(mean_measure), {"questionnaire": survey.pk, "scale": "fim",
                                                  "version": mean_measure.version}, follow=True)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert Measure.objects.get(pk=mean_measure.pk).feed_key == f"consultation:{survey.pk}:fim"
    assert "January wave" in text and "fewer than 5 people" in text
    assert "1 wave(s) gave no value" in text
    again = client.post(feed_url(mean_measure, "projects:measure_feed_refresh"), follow=True)
    assert "unchanged: 1" in again.content.decode()
    assert Observation.objects.filter(measure=mean_measure).count() == 1


def test_a_stale_choice_shows_the_conflict_and_keeps_the_other_save(client_for, alice, org, survey, mean_measure):
    seen = mean_measure.version
    measure_feed_set(measure=mean_measure, actor=alice, questionnaire=survey, scale="iam")
    page = client_for(alice).post(feed_url(mean_measure), {"questionnaire": survey.pk, "scale": "fim",
                                                           "version": seen})
    assert page.status_code == 200
    assert "Someone else saved this" in page.content.decode()
    assert Measure.objects.get(pk=mean_measure.pk).feed_key.endswith(":iam")


def test_a_viewer_sees_the_page_but_cannot_change_it(client_for, dave, org, alice, survey, mean_measure):
    client = client_for(dave)
    page = client.get(feed_url(mean_measure))
    assert page.status_code == 200 and 'name="scale"' not in page.content.decode()
    assert client.post(feed_url(mean_measure), {"questionnaire": survey.pk, "scale": "aim",
                                                "version": mean_measure.version}).status_code == 403
    assert client.post(feed_url(mean_measure, "projects:measure_feed_refresh")).status_code == 403
    assert Measure.objects.get(pk=mean_measure.pk).feed_key == ""


def test_an_outsider_gets_404(client_for, mallory, mean_measure):
    client = client_for(mallory)
    assert client.get(feed_url(mean_measure)).status_code == 404
    assert client.post(feed_url(mean_measure, "projects:measure_feed_refresh")).status_code == 404
