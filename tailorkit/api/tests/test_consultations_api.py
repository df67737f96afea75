"""Consultations through the API (issue 4, point 10): build a questionnaire, start a consultation,
invite people, and read results with the anonymity rules of the results page."""

import pytest

from tailorkit.consultations.models import Consultation, Invitation, Questionnaire, Response
from tailorkit.consultations.services import delivery, responding
from tailorkit.consultations.tests.factories import make_consultation
from tailorkit.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BASE = "/api/organisations/northside-mental-health"

QUESTIONNAIRE = {
    "title": "Barriers to iCBT",
    "description": "What stands in the way?",
    "sections": [
        {"title": "About you", "questions": [
            {"key": "role", "kind": "single", "text": "Your role", "required": True,
             "options": [{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}]},
        ]},
        {"title": "Barriers", "intro": "Rate each barrier.", "questions": [
            {"key": "importance", "kind": "likert5", "text": "Lack of time matters", "required": True,
             "allow_not_relevant": True},
            {"key": "gp_help", "kind": "text", "text": "What would help GPs?",
             "show_if": {"question": "role", "equals": "gp"}},
        ]},
    ],
}


@pytest.fixture
def api(bearer, alice, org):
    assert org.slug == "northside-mental-health"
    return bearer(alice)


def post(client, url, body):
    return client.post(url, data=body, content_type="application/json")


def make_questionnaire(api):
    response = post(api, f"{BASE}/questionnaires", QUESTIONNAIRE)
    assert response.status_code == 201, response.json()
    return response.json()


def respond(consultation, invitation=None, *, role="nurse", importance=4, group=None):
    draft = responding.draft_get_or_create(consultation=consultation, invitation=invitation,
                                           respondent_key=None if invitation else f"key-{Response.objects.count()}")
    answers = {"role": {"value": role, "not_relevant": False},
               "importance": {"value": importance, "not_relevant": False}}
    if role == "gp":
        answers["gp_help"] = {"value": "Shorter modules", "not_relevant": False}
    responding.draft_save(draft=draft, answers=answers, group=group)
    response, created = responding.response_submit(draft=draft, submission_key=draft.submission_key,
                                                   version_number=draft.version.number)
    assert created
    return response


# ---- the whole journey ---------------------------------------------------------------------------

def test_a_team_runs_a_consultation_from_questionnaire_to_results(api, mailoutbox, django_capture_on_commit_callbacks):
    questionnaire = make_questionnaire(api)
    detail = api.get(f"{BASE}/questionnaires/{questionnaire['id']}").json()
    assert [s["title"] for s in detail["sections"]] == ["About you", "Barriers"]
    assert detail["sections"][1]["intro"] == "Rate each barrier."
    gp_help = detail["sections"][1]["questions"][1]
    assert (gp_help["key"], gp_help["kind"], gp_help["show_if"]) == ("gp_help", "text",
                                                                     {"question": "role", "equals": "gp"})
    assert detail["version"] == 1
    assert [q["title"] for q in api.get(f"{BASE}/questionnaires").json()] == ["Barriers to iCBT"]

    created = post(api, f"{BASE}/consultations", {
        "questionnaire_id": questionnaire["id"], "title": "Which barriers matter?", "mode": "invitations",
        "anonymous": True, "min_group_size": 5, "closes_at": "2999-01-01T00:00:00Z"})
    assert created.status_code == 201, created.json()
    assert created.json()["open_link_url"] is None
    consultation = created.json()["consultation"]
    assert consultation["status"] == "open" and consultation["anonymous"] is True
    url = f"{BASE}/consultations/{consultation['id']}"

    people = [{"email": f"person{i}@example.org", "group": "clinician" if i < 3 else "manager"} for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        sent = post(api, f"{url}/invitations", {"invitations": people})
    assert sent.status_code == 201, sent.json()
    assert sent.json() == {"invited": 5, "counts": {"sent": 5, "opened": 0, "completed": 0}}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p["email"] for p in people)

    row = Consultation.objects.get(uuid=consultation["id"])
    for i, invitation in enumerate(Invitation.objects.filter(consultation=row).order_by("pk")):
        respond(row, invitation, role="gp" if i % 2 else "nurse", importance=[2, 3, 4, 4, 5][i])

    audit_before = AuditEvent.objects.count()
    results = api.get(f"{url}/results").json()
    assert (results["responses"], results["threshold"], results["withheld"]) == (5, 5, False)
    importance = next(q for q in results["questions"] if q["key"] == "importance")
    overall = importance["overall"]
    assert overall["n"] == 5 and overall["mean"]["mean"] == pytest.approx(3.6)
    assert overall["mean"]["ci_low"] < 3.6 < overall["mean"]["ci_high"]
    assert {d["value"]: d["count"] for d in overall["distribution"]} == {"1": 0, "2": 1, "3": 1, "4": 2, "5": 1}
    # Three clinicians and two managers: both groups are below the threshold of five, so they are
    # shown as withheld, with a note and without a single number.
    assert [g["group"] for g in importance["groups"]] == ["clinician", "manager"]
    for group in importance["groups"]:
        assert group["withheld"] is True and group["note"]
        assert group["n"] is None and group["mean"] is None and group["distribution"] is None
    assert all(g["withheld"] and g["responses"] is None for g in results["groups"])
    # Only two GPs wrote free text: withheld, text included.
    assert next(q for q in results["questions"] if q["key"] == "gp_help")["overall"] == {
        **dict.fromkeys(("n", "not_relevant", "distribution", "ranking", "mean", "texts", "texts_more", "texts_url")),
        "withheld": True, "note": "Fewer than 5 answers in total: withheld to protect anonymity."}

    shown = api.get(url).json()
    assert shown["responses"] == 5 and shown["invitations"] == {"sent": 0, "opened": 0, "completed": 5}
    invitations = api.get(f"{url}/invitations").json()
    assert [i["status"] for i in invitations] == ["completed"] * 5
    # Anonymous: status and day only; nothing that points to a response or an address.
    assert set(invitations[0]) == {"id", "group", "status", "sent_at", "opened_at", "completed_at",
                                   "reminders_sent", "erased"}
    assert invitations[0]["completed_at"].endswith("T00:00:00Z")
    assert [c["id"] for c in api.get(f"{BASE}/consultations").json()] == [consultation["id"]]
    assert AuditEvent.objects.count() == audit_before, "reads must record nothing"

    closed = post(api, f"{url}/close", {})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = post(api, f"{url}/close", {})
    assert again.status_code == 400 and "already closed" in again.json()["detail"]


def test_an_open_link_consultation_returns_its_link_once(api):
    questionnaire = make_questionnaire(api)
    created = post(api, f"{BASE}/consultations", {"questionnaire_id": questionnaire["id"], "title": "Open",
                                                  "mode": "open_link", "groups": ["clinician", "manager"],
                                                  "access_code": "tea"})
    assert created.status_code == 201, created.json()
    link = created.json()["open_link_url"]
    assert link.startswith("http://testserver/c/o/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert responding.consultation_for_open_token(token).uuid.hex == created.json()["consultation"]["id"].replace(
        "-", "")
    consultation = created.json()["consultation"]
    assert consultation["has_access_code"] is True and consultation["groups"] == ["clinician", "manager"]
    assert "open_link_url" not in api.get(f"{BASE}/consultations/{consultation['id']}").json()
    # An open-link consultation takes no personal invitations: the whole batch is refused.
    refused = post(api, f"{BASE}/consultations/{consultation['id']}/invitations",
                   {"invitations": [{"email": "sam@example.org"}]})
    assert refused.status_code == 400 and "open link" in refused.json()["detail"]


def test_groups_at_the_threshold_are_shown_with_their_numbers(api, org, alice):
    consultation, _token = make_consultation(org, alice, mode="open_link", groups=["clinician", "manager"],
                                             min_group_size=2)
    for group, importance in (("clinician", 4), ("clinician", 5), ("manager", 1), ("manager", 2)):
        respond(consultation, group=group, importance=importance)
    results = api.get(f"{BASE}/consultations/{consultation.uuid}/results").json()
    assert [(g["group"], g["responses"]) for g in results["groups"]] == [("clinician", 2), ("manager", 2)]
    importance = next(q for q in results["questions"] if q["key"] == "importance")
    assert [(g["group"], g["n"], g["mean"]["mean"]) for g in importance["groups"]] == [
        ("clinician", 2, 4.5), ("manager", 2, 1.5)]


# ---- unhappy paths ---------------------------------------------------------------------------

def test_results_below_the_threshold_are_withheld_entirely(api, org, alice):
    consultation, _token = make_consultation(org, alice, mode="open_link")
    respond(consultation, importance=5)
    respond(consultation, importance=1)
    results = api.get(f"{BASE}/consultations/{consultation.uuid}/results").json()
    assert results["responses"] == 2 and results["withheld"] is True
    assert results["questions"] == [] and "withheld" in results["note"]
    assert all(g["responses"] is None for g in results["groups"])


def test_a_bad_row_names_its_index_and_nobody_is_invited(api, org, alice, mailoutbox,
                                                         django_capture_on_commit_callbacks):
    consultation, _token = make_consultation(org, alice)
    rows = [{"email": "good@example.org"}, {"email": "not-an-address"}, {"email": "x@example.org", "group": "chef"},
            {"email": "GOOD@example.org"}, {"email": "a,b@example.org"}]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, f"{BASE}/consultations/{consultation.uuid}/invitations", {"invitations": rows})
    assert response.status_code == 400
    body = response.json()
    assert [r["index"] for r in body["rows"]] == [1, 2, 3, 4]
    assert set(body["errors"]) == {"invitations.1", "invitations.2", "invitations.3", "invitations.4"}
    assert "not an email address" in body["rows"][0]["messages"][0]
    assert not body["rows"][0]["messages"][0].startswith("Line")
    assert "unknown group" in body["rows"][1]["messages"][0]
    assert "already in row 0" in body["rows"][2]["messages"][0]
    assert Invitation.objects.count() == 0 and mailoutbox == []


def test_an_address_already_invited_is_refused_by_row(api, org, alice):
    consultation, _token = make_consultation(org, alice)
    url = f"{BASE}/consultations/{consultation.uuid}/invitations"
    assert post(api, url, {"invitations": [{"email": "sam@example.org"}]}).status_code == 201
    again = post(api, url, {"invitations": [{"email": "new@example.org"}, {"email": "Sam@example.org"}]})
    assert again.status_code == 400 and [r["index"] for r in again.json()["rows"]] == [1]
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("change, field", [
    ({"key": "Bad Key!"}, "sections.1.questions.0.key"),
    ({"options": [{"value": "a", "label": "A"}], "kind": "single"}, "sections.1.questions.0.options"),
    ({"options": [{"value": "a", "label": "A"}, {"value": "a", "label": "B"}], "kind": "single"},
     "sections.1.questions.0.options"),
    ({"show_if": {"question": "gp_help", "equals": "x"}}, "sections.1.questions.0.show_if"),
    ({"show_if": {"question": "role", "equals": "surgeon"}}, "sections.1.questions.0.show_if"),
    ({"show_if": {"question": "role"}}, "sections.1.questions.0.show_if"),
])
def test_a_wrong_question_is_named_and_nothing_is_saved(api, change, field):
    body = {**QUESTIONNAIRE, "sections": [QUESTIONNAIRE["sections"][0], {
        **QUESTIONNAIRE["sections"][1],
        "questions": [{**QUESTIONNAIRE["sections"][1]["questions"][0], **change},
                      *QUESTIONNAIRE["sections"][1]["questions"][1:]]}]}
    response = post(api, f"{BASE}/questionnaires", body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert Questionnaire.objects.count() == 0


def test_a_consultation_is_refused_with_field_errors(api, org, alice, mallory):
    questionnaire = make_questionnaire(api)
    url = f"{BASE}/consultations"
    unknown = post(api, url, {"questionnaire_id": 999999, "title": "X"})
    assert unknown.status_code == 400 and "questionnaire_id" in unknown.json()["errors"]
    dates = post(api, url, {"questionnaire_id": questionnaire["id"], "title": "X",
                            "opens_at": "2030-01-02T00:00:00Z", "closes_at": "2030-01-01T00:00:00Z"})
    assert dates.status_code == 400 and "closes_at" in dates.json()["errors"]
    empty = Questionnaire.objects.create(organisation=org, title="Empty")
    no_questions = post(api, url, {"questionnaire_id": empty.pk, "title": "X"})
    assert no_questions.status_code == 400 and "questionnaire_id" in no_questions.json()["errors"]
    assert Consultation.objects.count() == 0


def test_a_viewer_reads_but_may_not_write(bearer, org, alice, dave):
    consultation, _token = make_consultation(org, alice)
    viewer = bearer(dave)
    url = f"{BASE}/consultations/{consultation.uuid}"
    for path in ("/questionnaires", "/consultations"):
        assert viewer.get(BASE + path).status_code == 200
    for path in ("", "/results"):
        assert viewer.get(url + path).status_code == 200
    writes = [
        (f"{BASE}/questionnaires", QUESTIONNAIRE),
        (f"{BASE}/consultations", {"questionnaire_id": consultation.questionnaire_id, "title": "X"}),
        (f"{url}/invitations", {"invitations": [{"email": "sam@example.org"}]}),
        (f"{url}/close", {}),
    ]
    for path, body in writes:
        response = post(viewer, path, body)
        assert response.status_code == 403, path
    assert Consultation.objects.count() == 1 and Invitation.objects.count() == 0
    assert not Consultation.objects.get().closed_at


def test_only_those_who_run_a_consultation_list_its_invitations(bearer, org, alice, bob, carol, dave):
    consultation, _token = make_consultation(org, alice)
    delivery.invitations_send(consultation=consultation, actor=alice, text="sam@example.org\nkim@example.org")
    url = f"{BASE}/consultations/{consultation.uuid}"
    for who in (alice, bob):
        assert len(bearer(who).get(f"{url}/invitations").json()) == 2
    for who in (carol, dave):
        assert bearer(who).get(f"{url}/invitations").status_code == 403
        # The counts per status stay readable for every role, as on the page.
        assert bearer(who).get(url).json()["invitations"] == {"sent": 2, "opened": 0, "completed": 0}


def test_an_outsider_gets_404_even_with_a_valid_body(bearer, org, alice, mallory):
    consultation, _token = make_consultation(org, alice)
    outsider = bearer(mallory)
    url = f"{BASE}/consultations/{consultation.uuid}"
    assert outsider.get(f"{url}/results").status_code == 404
    assert outsider.get(f"{BASE}/questionnaires/{consultation.questionnaire_id}").status_code == 404
    assert post(outsider, f"{url}/invitations", {"invitations": [{"email": "sam@example.org"}]}).status_code == 404
    assert Invitation.objects.count() == 0


def test_a_consultation_of_another_organisation_is_404_for_a_member_too(bearer, org, alice, mallory):
    theirs, _token = make_consultation(mallory.memberships.get().organisation, mallory)
    assert bearer(alice).get(f"{BASE}/consultations/{theirs.uuid}").status_code == 404
    assert bearer(alice).get(f"{BASE}/questionnaires/{theirs.questionnaire_id}").status_code == 404


@pytest.mark.parametrize("path, body", [
    ("/questionnaires", {**QUESTIONNAIRE, "title": "Bad\x00title"}),
    ("/questionnaires", {**QUESTIONNAIRE, "sections": [{"title": "S", "questions": [
        {"kind": "text", "text": "Why\x00?"}]}]}),
    ("/questionnaires", {**QUESTIONNAIRE, "sections": [{"title": "S", "questions": [
        {"kind": "single", "text": "Pick",
         "options": [{"value": "a\x00", "label": "A"}, {"value": "b", "label": "B"}]}]}]}),
    ("/consultations", {"questionnaire_id": 1, "title": "X\x00"}),
    ("/consultations", {"questionnaire_id": 1, "title": "X", "access_code": "\x00"}),
    ("/consultations/{uuid}/invitations", {"invitations": [{"email": "sam\x00@example.org"}]}),
    ("/consultations/{uuid}/invitations", {"invitations": [{"email": "sam@example.org", "group": "\x00"}]}),
])
def test_nul_characters_are_refused_before_the_database(api, org, alice, path, body):
    consultation, _token = make_consultation(org, alice)
    response = post(api, BASE + path.replace("{uuid}", str(consultation.uuid)), body)
    assert response.status_code == 422
    assert Invitation.objects.count() == 0 and Questionnaire.objects.count() == 1


def test_unknown_fields_and_bad_numbers_are_422(api):
    questionnaire = make_questionnaire(api)
    url = f"{BASE}/consultations"
    for body in ({"questionnaire_id": questionnaire["id"], "title": "X", "anonymus": False},
                 {"questionnaire_id": questionnaire["id"], "title": "X", "min_group_size": 0},
                 {"questionnaire_id": questionnaire["id"], "title": "X", "opens_at": "0001-01-01T00:00:00+14:00"},
                 {"questionnaire_id": questionnaire["id"], "title": "X", "groups": ["chef"]}):
        assert post(api, url, body).status_code == 422, body
    assert Consultation.objects.count() == 0


def test_a_condition_can_name_several_codes(api):
    body = {**QUESTIONNAIRE, "sections": [QUESTIONNAIRE["sections"][0], {"title": "More", "questions": [
        {"key": "why", "kind": "text", "text": "Why?", "show_if": {"question": "role", "in": ["gp", "nurse"]}},
        {"key": "rank", "kind": "ranking", "text": "Order these",
         "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
        {"key": "years", "kind": "number", "text": "Years", "min_value": 0, "max_value": 50}]}]}
    response = post(api, f"{BASE}/questionnaires", body)
    assert response.status_code == 201, response.json()
    questions = response.json()["sections"][1]["questions"]
    assert questions[0]["show_if"] == {"question": "role", "in": ["gp", "nurse"]}
    assert (questions[2]["min_value"], questions[2]["max_value"]) == (0, 50)
