"""Free-text answers through the API are bounded like the results page (issue 11): the results carry
the first ten answers of each block in alphabetical order with ``texts_more`` and ``texts_url``, and
``…/results/texts/<key>`` pages through all of one block's answers, fifty at a time at most, with
the same anonymity rules as the results."""

import pytest

from tailorkit.consultations.services.results import TEXTS_PER_PAGE, TEXTS_PREVIEW
from tailorkit.consultations.tests.factories import CHOICE, TEXT, add_response, make_consultation_asking

pytestmark = pytest.mark.django_db

GROUPS = ["clinician", "manager"]


@pytest.fixture
def survey(org, alice):
    """Minimum group size 5: 23 clinicians and 6 managers wrote a text; two respondents gave no group."""
    consultation = make_consultation_asking(org, alice, [CHOICE, TEXT], groups=GROUPS, min_group_size=5)
    for i in range(23):
        add_response(consultation, {"role": "gp", "help": f"Clinician idea {i:02d}"}, group="clinician")
    for i in range(6):
        add_response(consultation, {"role": "nurse", "help": f"manager idea {i}"}, group="manager")
    for i in range(2):
        add_response(consultation, {"role": "nurse", "help": f"Nobody's idea {i}"})
    return consultation


def _results(client, org, consultation):
    return client.get(f"/api/organisations/{org.slug}/consultations/{consultation.uuid}/results").json()


def _all_pages(client, url):
    pages = [client.get(url).json()]
    while pages[-1]["next"]:
        pages.append(client.get(pages[-1]["next"]).json())
    return pages


def test_the_results_show_the_first_texts_and_the_address_of_all(bearer, alice, org, survey):
    client = bearer(alice)
    help_ = next(q for q in _results(client, org, survey)["questions"] if q["key"] == "help")
    overall = help_["overall"]
    everything = sorted([f"Clinician idea {i:02d}" for i in range(23)] + [f"manager idea {i}" for i in range(6)]
                        + [f"Nobody's idea {i}" for i in range(2)], key=str.casefold)
    assert overall["texts"] == everything[:TEXTS_PREVIEW] and overall["texts_more"] is True
    base = f"http://testserver/api/organisations/{org.slug}/consultations/{survey.uuid}/results/texts/help"
    assert overall["texts_url"] == base
    by_group = {g["group"]: g for g in help_["groups"]}
    assert by_group["clinician"]["texts_url"] == f"{base}?group=clinician"
    assert by_group["clinician"]["texts_more"] is True and len(by_group["clinician"]["texts"]) == TEXTS_PREVIEW
    # The two without a group are too few, and with them the managers, the smallest group shown
    # (secondary suppression): neither has texts nor an address for them.
    for withheld in ("", "manager"):
        assert by_group[withheld]["withheld"] is True
        assert by_group[withheld]["texts"] is None and by_group[withheld]["texts_url"] is None

    pages = _all_pages(client, overall["texts_url"])
    assert [len(p["items"]) for p in pages] == [len(everything)]
    assert pages[0]["items"] == everything and pages[0]["count"] == len(everything)
    assert (pages[0]["question"], pages[0]["group"], pages[0]["withheld"]) == ("help", None, False)


def test_the_texts_are_paged_in_order_and_at_most_fifty_at_a_time(bearer, alice, org, survey):
    client = bearer(alice)
    url = f"/api/organisations/{org.slug}/consultations/{survey.uuid}/results/texts/help"
    pages = _all_pages(client, f"{url}?group=clinician&limit=10")
    assert [len(p["items"]) for p in pages] == [10, 10, 3]
    assert [t for p in pages for t in p["items"]] == [f"Clinician idea {i:02d}" for i in range(23)]
    assert pages[0]["previous"] is None and "group=clinician" in pages[1]["previous"]
    assert pages[-1]["count"] == 23 and pages[-1]["label"] == "Clinician"
    assert client.get(f"{url}?offset=500").json()["items"] == []
    assert client.get(f"{url}?limit={TEXTS_PER_PAGE}").status_code == 200
    assert client.get(f"{url}?limit={TEXTS_PER_PAGE + 1}").status_code == 422


def test_a_question_without_free_text_or_a_group_nobody_is_in_is_not_found(bearer, alice, org, survey):
    client = bearer(alice)
    url = f"/api/organisations/{org.slug}/consultations/{survey.uuid}/results/texts"
    assert client.get(f"{url}/role").status_code == 404
    assert client.get(f"{url}/nothing").status_code == 404
    assert client.get(f"{url}/help?group=patient").status_code == 404
    assert client.get(f"{url}/help?group=no%20such").status_code == 422


def test_the_texts_of_a_withheld_group_are_withheld(bearer, alice, org, survey):
    client = bearer(alice)
    url = f"/api/organisations/{org.slug}/consultations/{survey.uuid}/results/texts/help"
    too_few = client.get(f"{url}?group=-").json()
    assert too_few["withheld"] is True and too_few["items"] == [] and too_few["count"] == 0
    assert too_few["group"] == "" and "Fewer than 5" in too_few["note"]
    # Six managers, withheld so that the two without a group cannot be worked out from the total.
    managers = client.get(f"{url}?group=manager").json()
    assert managers["withheld"] is True and managers["items"] == [] and managers["count"] == 0
    assert "manager idea" not in str(managers)


def test_an_outsider_and_a_viewer(bearer, mallory, dave, org, survey):
    url = f"/api/organisations/{org.slug}/consultations/{survey.uuid}/results/texts/help"
    assert bearer(mallory).get(url).status_code == 404
    assert bearer(dave).get(url).json()["count"] == 31
