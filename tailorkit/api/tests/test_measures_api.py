"""Measures through the API (issue 13): define and change measures, push values idempotently with
per-row refusals, read the chart's analysis and a criterion's verdict, with the pages' permissions."""

from datetime import date
from decimal import Decimal

import pytest

from tailorkit.measures import verdicts
from tailorkit.measures.models import Measure, Observation
from tailorkit.measures.tests.factories import make_measure
from tailorkit.projects.models import SuccessCriterion

pytestmark = pytest.mark.django_db


def base(org):
    return f"/api/organisations/{org.slug}/measures"


def test_it_defines_lists_reads_changes_and_deletes_a_measure(bearer, alice, bob, org):
    client = bearer(alice)
    made = client.post(base(org), {"name": "Offered iCBT", "kind": "proportion", "period": "week", "unit": "%",
                                   "owner": "BOB@example.org"}, content_type="application/json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kind"] == "proportion" and body["period"] == "week" and body["owner"]["email"] == bob.email
    listed = client.get(base(org)).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    url = f"{base(org)}/{body['id']}"
    assert client.get(url).json()["name"] == "Offered iCBT"
    changed = client.patch(url, {"version": body["version"], "name": "Patients offered iCBT", "owner": None},
                           content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Patients offered iCBT" and changed.json()["owner"] is None
    assert changed.json()["kind"] == "proportion"  # left out: kept
    assert client.delete(url).status_code == 204
    assert not Measure.objects.filter(pk=body["id"]).exists()


def test_it_refuses_an_owner_outside_the_organisation(bearer, alice, org, mallory):
    answer = bearer(alice).post(base(org), {"name": "Waits", "owner": mallory.email}, content_type="application/json")
    assert answer.status_code == 400
    assert "owner" in answer.json()["errors"]


def test_a_stale_patch_is_refused_with_the_saved_measure(bearer, alice, org):
    measure = make_measure(org, alice)
    client, url = bearer(alice), f"{base(org)}/{measure.pk}"
    seen = measure.version
    assert client.patch(url, {"version": seen, "unit": "referrals"}, content_type="application/json").status_code == 200
    stale = client.patch(url, {"version": seen, "unit": "people"}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current"]["unit"] == "referrals"
    assert Measure.objects.get(pk=measure.pk).unit == "referrals"


def test_the_kind_of_a_measure_with_values_cannot_change(bearer, alice, org):
    measure = make_measure(org, alice, values=[3, 4])
    answer = bearer(alice).patch(f"{base(org)}/{measure.pk}", {"version": measure.version, "kind": "mean"},
                                 content_type="application/json")
    assert answer.status_code == 400 and "kind" in answer.json()["errors"]


def test_pushing_values_stores_them_once_and_says_what_changed(bearer, alice, org):
    measure = make_measure(org, alice, kind=Measure.Kind.PROPORTION, period=Measure.Period.MONTH)
    client, url = bearer(alice), f"{base(org)}/{measure.pk}/values"
    values = {"values": [{"period": "2025-01", "value": 12, "denominator": 20},
                         {"period": "2025-02-14", "value": 15, "denominator": 20}]}
    first = client.post(url, values, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0}
    again = client.post(url, values, content_type="application/json")
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}
    assert Observation.objects.filter(measure=measure).count() == 2
    one = client.post(url, {"values": [{"period": "2025-02", "value": 16, "denominator": 20}]},
                      content_type="application/json")
    assert one.json() == {"created": 0, "updated": 1, "unchanged": 0}
    stored = Observation.objects.get(measure=measure, period_start=date(2025, 2, 1))
    assert stored.source == Observation.Source.API and stored.value == pytest.approx(80.0)
    listed = client.get(url).json()
    assert listed["count"] == 2
    assert [(v["period"], v["label"], v["value"], v["plotted"]) for v in listed["items"]][1] == \
        ("2025-02-01", "Feb 2025", 16.0, 80.0)


def test_a_refused_push_names_each_bad_row_and_stores_nothing(bearer, alice, org):
    measure = make_measure(org, alice, kind=Measure.Kind.PROPORTION)
    answer = bearer(alice).post(f"{base(org)}/{measure.pk}/values", {"values": [
        {"period": "2025-01", "value": 5, "denominator": 10},
        {"period": "sometime", "value": 5, "denominator": 10},
        {"period": "2025-03", "value": 12, "denominator": 10},
        {"period": "2025-01-20", "value": 6, "denominator": 10},
    ]}, content_type="application/json")
    assert answer.status_code == 400
    rows = answer.json()["rows"]
    assert set(rows) == {"1", "2", "3"}
    assert "period" in rows["1"] and "denominator" in rows["2"] and "row 1" in rows["3"]["period"]
    assert answer.json()["detail"]
    assert not Observation.objects.filter(measure=measure).exists()


def test_a_value_pushed_with_an_old_version_is_a_conflict(bearer, alice, org):
    measure = make_measure(org, alice, values=[10])
    stored = Observation.objects.get(measure=measure)
    url = f"{base(org)}/{measure.pk}/values"
    client = bearer(alice)
    assert client.post(url, {"values": [{"period": "2024-01", "value": 11, "version": stored.version}]},
                       content_type="application/json").status_code == 200
    stale = client.post(url, {"values": [{"period": "2024-01", "value": 12, "version": stored.version}]},
                        content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["current"]["value"] == 11.0
    assert Observation.objects.get(measure=measure).numerator == 11


def test_the_analysis_names_the_chart_its_lines_and_its_signals(bearer, alice, org):
    measure = make_measure(org, alice, values=[10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 12, 20, 21, 22, 23, 21, 22,
                                               23, 24])
    body = bearer(alice).get(f"{base(org)}/{measure.pk}/analysis").json()
    assert body["measure_id"] == measure.pk
    assert body["chart"] in ("run", "xmr")
    assert len(body["points"]) == 20 and body["points"][0]["label"] == "Jan 2024"
    assert all(p["centre"] is not None for p in body["points"])
    assert body["signals"], "a jump from about 10 to over 20 must show"
    assert all(s["words"] and s["periods"] for s in body["signals"])
    assert body["latest_signal"] is not None and body["latest_signal"]["direction"] == "improvement"


def test_the_verdict_of_a_criterion_comes_from_its_measure(bearer, alice, org, stepped_project):
    measure = make_measure(org, alice, values=[10] * 6 + [30] * 12)
    criterion = stepped_project["criterion"]
    url = (f"/api/organisations/{org.slug}/projects/{stepped_project['project'].pk}/criteria/{criterion.pk}"
           f"/verdict")
    client = bearer(alice)
    assert client.get(url).json() == {"criterion_id": criterion.pk, "measure_id": None, "verdict": None}
    SuccessCriterion.objects.filter(pk=criterion.pk).update(measure=measure, target_value=Decimal("20"),
                                                            target_date=date(2025, 6, 30),
                                                            direction=verdicts.AT_LEAST)
    body = client.get(url).json()
    assert body["measure_id"] == measure.pk
    assert body["verdict"]["status"] in (verdicts.MET, verdicts.NOT_MET, verdicts.NOT_YET, verdicts.UNCLEAR)
    assert body["verdict"]["reasons"] and body["verdict"]["latest_value"] == 30.0


def test_a_viewer_reads_but_cannot_write(bearer, alice, dave, org):
    measure = make_measure(org, alice, values=[1, 2])
    client, url = bearer(dave), f"{base(org)}/{measure.pk}"
    assert client.get(url).status_code == 200
    assert client.get(url + "/values").status_code == 200
    assert client.post(base(org), {"name": "Mine"}, content_type="application/json").status_code == 403
    assert client.patch(url, {"version": measure.version, "name": "X"}, content_type="application/json").status_code \
        == 403
    assert client.post(url + "/values", {"values": [{"period": "2024-03", "value": 3}]},
                       content_type="application/json").status_code == 403
    assert client.delete(url).status_code == 403
    assert Measure.objects.get(pk=measure.pk).name == measure.name
    assert Observation.objects.filter(measure=measure).count() == 2


def test_an_outsider_gets_404_for_every_measure_route(bearer, alice, mallory, org):
    measure = make_measure(org, alice, values=[1, 2])
    client, url = bearer(mallory), f"{base(org)}/{measure.pk}"
    for answer in (client.get(base(org)), client.get(url), client.get(url + "/values"), client.get(url + "/analysis"),
                   client.patch(url, {"version": 1, "name": "X"}, content_type="application/json"),
                   client.post(url + "/values", {"values": [{"period": "2024-03", "value": 3}]},
                               content_type="application/json"),
                   client.delete(url)):
        assert answer.status_code == 404
    # Her own organisation does not reach alice's measure either.
    own = mallory.memberships.get().organisation
    assert client.get(f"{base(own)}/{measure.pk}").status_code == 404
    assert Measure.objects.filter(pk=measure.pk).exists()
