import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from tailorkit.consultations.models import Consultation
from tailorkit.consultations.services import delivery, rounds
from tailorkit.core.models import AuditEvent

from .factories import CHOICE, LIKERT, TEXT, add_response, make_consultation_asking

SECOND = {"key": "money", "kind": "likert5", "text": "Lack of money is a barrier"}


@pytest.fixture
def first_round(org, alice):
    consultation = make_consultation_asking(org, alice, [CHOICE, LIKERT, SECOND, TEXT])
    for time, money in [(4, 1), (4, 5), (5, 3), (4, 1), (3, 5)]:
        add_response(consultation, {"role": "gp", "time": time, "money": money, "help": "x"})
    return consultation


def test_round_two_copies_the_questions_and_links_back(first_round, alice):
    second, _token = rounds.round_create_next(consultation=first_round, actor=alice)
    assert second.round == 2 and second.previous_round == first_round
    assert second.questionnaire != first_round.questionnaire
    assert [q["key"] for q in second.questionnaire.latest_version.questions()] == ["role", "time", "money", "help"]
    assert second.title == "Which barriers matter? – round 2"
    assert AuditEvent.objects.filter(action="consultation.round_created").exists()
    with pytest.raises(ValidationError, match="already exists"):
        rounds.round_create_next(consultation=first_round, actor=alice)


def test_items_that_reached_consensus_can_be_left_out(first_round, alice):
    assert rounds.consensus_keys(first_round) == {"role", "time"}
    second, _token = rounds.round_create_next(consultation=first_round, actor=alice, drop_consensus_items=True)
    assert [q["key"] for q in second.questionnaire.latest_version.questions()] == ["money", "help"]


def test_respondents_of_round_two_see_round_one_per_item(first_round, alice):
    second, _token = rounds.round_create_next(consultation=first_round, actor=alice)
    feedback = rounds.previous_round_feedback(second)
    time = feedback["time"]
    assert time["summary"]["median"] == 4 and time["summary"]["iqr"] == 0
    assert time["agreement"]["consensus"] and not feedback["money"]["agreement"]["consensus"]
    html = Template("{% load consultation_results %}{% round_feedback feedback 'time' %}").render(
        Context({"feedback": feedback})
    )
    assert "In round 1" in html and "median 4.0" in html and "The group agreed." in html
    assert rounds.previous_round_feedback(first_round) == {}


def test_a_round_two_respondent_sees_the_round_one_group_result_beside_each_item(client, org, alice):
    first = make_consultation_asking(org, alice, [CHOICE, LIKERT, SECOND], mode="open_link")
    for time, money in [(4, 1), (4, 5), (5, 3), (4, 1), (3, 5)]:
        add_response(first, {"role": "gp", "time": time, "money": money})
    _second, token = rounds.round_create_next(consultation=first, actor=alice)
    assert client.get(f"/c/o/{token}/")["Location"] == "/c/form/"
    page = client.get("/c/form/").content.decode()
    # The round-1 result sits right after its own item: "time" reached consensus, "money" did not.
    time_part = page.split('name="q-time"', 1)[1].split('name="q-money"', 1)[0]
    money_part = page.split('name="q-money"', 1)[1]
    assert "In round 1" in time_part and "median 4.0" in time_part and "The group agreed." in time_part
    assert "median 3.0" in money_part and "The group did not agree yet." in money_part
    # A first round shows no such feedback.
    client.cookies.clear()
    first_token = delivery.consultation_new_open_link(consultation=first, actor=alice)
    client.get(f"/c/o/{first_token}/")
    page = client.get("/c/form/").content.decode()
    assert 'name="q-time"' in page and "In round 1" not in page


def test_round_one_results_are_withheld_from_round_two_below_the_threshold(org, alice):
    consultation = make_consultation_asking(org, alice, [LIKERT])
    for value in (1, 2):
        add_response(consultation, {"time": value})
    second, _token = rounds.round_create_next(consultation=consultation, actor=alice)
    item = rounds.feedback_for(rounds.previous_round_feedback(second), "time")
    assert item["withheld"] and "Fewer than 5 answers" in item["note"]


def test_the_team_creates_a_round_from_the_results_page(client_for, bob, dave, org, first_round):
    url = reverse("consultations:consultation_round_create", args=[org.slug, first_round.uuid])
    assert client_for(dave).post(url).status_code == 403
    page = (
        client_for(bob)
        .get(reverse("consultations:consultation_results", args=[org.slug, first_round.uuid]))
        .content.decode()
    )
    assert "Create the next round" in page and "within one point of the median" in page
    response = client_for(bob).post(url, {"title": "Second look"})
    assert response.status_code == 200 and "Round 2 is ready" in response.content.decode()
    assert Consultation.objects.get(title="Second look").previous_round == first_round


def test_a_round_without_answers_cannot_be_followed(client_for, alice, org):
    consultation = make_consultation_asking(org, alice, [LIKERT])
    url = reverse("consultations:consultation_round_create", args=[org.slug, consultation.uuid])
    response = client_for(alice).post(url, follow=True)
    assert "nobody has answered yet" in response.content.decode()
