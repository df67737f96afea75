"""The respondent path kept short for load (issue 4, "Security and load"): a one-page submit is one
read and one two-INSERT transaction, and the shortcuts behind that keep every guarantee."""

import re
import uuid
from importlib import import_module

import pytest
from django.apps import apps
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tailorkit.consultations.models import Answer, Draft, Questionnaire, Response
from tailorkit.consultations.services import builder as services
from tailorkit.consultations.services import respondent_sql, responding
from tailorkit.consultations.views.responding import GRANT, GRANT_SALT, grant_from_cookie

from .conftest import answer_all
from .factories import make_consultation

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)"')


@pytest.fixture
def one_page(org, alice):
    q = services.questionnaire_create(organisation=org, actor=alice, title="Quick check")
    section = q.sections.get()
    services.question_create(section=section, actor=alice, key="role", kind="single", text="Your role", required=True,
                             options=[{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}])
    services.question_create(section=section, actor=alice, key="help", kind="text", text="What would help?")
    return q


def opened_form(client, token):
    client.get(f"/c/o/{token}/")
    return dict(HIDDEN.findall(client.get("/c/form/").content.decode()))


def grant_of(client):
    return grant_from_cookie(client.cookies[GRANT].value)


@pytest.mark.django_db(transaction=True)
def test_a_one_page_submit_reads_once_and_writes_two_rows(client, org, alice, one_page):
    """No test transaction around it, so the statements are exactly those production sends."""
    _consultation, token = make_consultation(org, alice, one_page, mode="open_link")
    hidden = opened_form(client, token)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/c/form/", {**hidden, "q-role": "gp", "q-help": "=1+1", "action": "submit"})
    assert response.status_code == 302 and response["Location"] == "/c/thanks/"
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # One SELECT (consultation, version and "already sent?" together); no draft look-up or clean-up
    # and no savepoint: BEGIN (SQLite sends it, PostgreSQL begins implicitly), two INSERTs, COMMIT.
    assert statements.count("SELECT") == 1
    assert [s for s in statements if s not in ("SELECT", "BEGIN", "COMMIT")] == ["INSERT", "INSERT"]
    stored = Response.objects.get()
    assert {a.question_key: a.value for a in Answer.objects.filter(response=stored)} == {"role": "gp", "help": "=1+1"}


def test_a_draft_made_on_an_open_link_is_named_in_the_grant_and_used_for_the_submit(client, org, alice, questionnaire):
    _consultation, token = make_consultation(org, alice, questionnaire, mode="open_link")
    client.get(f"/c/o/{token}/")
    assert grant_of(client)["d"] is False
    answer_all(client, {"q-role": "nurse", "action": "next"})  # page 1 of 2: the answers must be kept
    assert grant_of(client)["d"] is True and Draft.objects.count() == 1
    response = answer_all(client, {"q-importance": "4", "action": "submit"}, page=1)
    assert response["Location"] == "/c/thanks/"
    stored = Response.objects.get()
    assert {a.question_key: a.value for a in stored.answers.all()} == {"role": "nurse", "importance": 4}
    assert not Draft.objects.exists()


def test_a_grant_from_before_the_draft_flag_still_finds_its_draft(client, org, alice, questionnaire):
    _consultation, token = make_consultation(org, alice, questionnaire, mode="open_link")
    client.get(f"/c/o/{token}/")
    answer_all(client, {"q-role": "gp", "action": "save"})
    old_style = {k: v for k, v in grant_of(client).items() if k != "d"}
    client.cookies[GRANT] = signing.dumps(old_style, salt=GRANT_SALT, compress=True)
    assert 'value="gp" checked' in client.get("/c/form/").content.decode()


def test_a_resent_submit_after_the_limit_was_reached_is_still_thanked(client, org, alice, one_page):
    _consultation, token = make_consultation(org, alice, one_page, mode="open_link", response_limit=1)
    hidden = opened_form(client, token)
    before_submit = client.cookies[GRANT].value
    data = {**hidden, "q-role": "nurse", "action": "submit"}
    assert client.post("/c/form/", data)["Location"] == "/c/thanks/"
    client.cookies[GRANT] = before_submit  # a double click: the second request still has the old cookie
    again = client.post("/c/form/", data)
    assert again.status_code == 302 and again["Location"] == "/c/thanks/"
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_repeat_racing_past_the_check_returns_the_stored_response(org, alice, one_page):
    """No outer transaction here, as in production: the unique key rolls the repeat back whole."""
    consultation, _token = make_consultation(org, alice, one_page, mode="open_link")
    key = uuid.uuid4()
    kwargs = {"consultation": consultation, "invitation": None, "respondent_key": "rk", "group": "",
              "version": responding.latest_version(consultation), "submission_key": key,
              "answers": {"role": {"value": "gp", "not_relevant": False}}, "may_have_draft": False}
    first, created_first = responding.response_submit_new(**kwargs)
    second, created_second = responding.response_submit_new(**kwargs)
    assert (created_first, created_second) == (True, False) and first.pk == second.pk
    assert Response.objects.count() == 1 and Answer.objects.count() == 1


def test_an_edit_after_responses_moves_respondents_to_the_new_version(client, org, alice, one_page):
    consultation, token = make_consultation(org, alice, one_page, mode="open_link")
    hidden = opened_form(client, token)
    client.post("/c/form/", {**hidden, "q-role": "gp", "action": "submit"})
    question = one_page.questions.get(key="help")
    services.question_update(question=question, actor=alice, version=question.version, text="What would help you most?")
    one_page.refresh_from_db()
    assert one_page.current_version.number == 2 == one_page.versions.count()
    client.cookies.clear()
    page = client.get(f"/c/o/{token}/", follow=True).content.decode()
    assert "What would help you most?" in page and dict(HIDDEN.findall(page))["version"] == "2"
    assert Response.objects.get().version.number == 1


def test_the_migration_points_existing_questionnaires_at_their_newest_version(org, alice, one_page):
    help_question = one_page.questions.get(key="help")
    services.question_update(question=help_question, actor=alice, version=help_question.version, text="Changed")
    Questionnaire.objects.update(current_version=None)
    migration = import_module("tailorkit.consultations.migrations.0003_questionnaire_current_version")
    migration.point_at_newest(apps, None)
    one_page.refresh_from_db()
    assert one_page.current_version == one_page.versions.order_by("-number").first()


def test_the_prepared_read_gives_what_the_orm_gives(org, alice, one_page):
    """The hand-made read converts every column as the ORM does (UUIDs, dates, JSON, booleans), on
    SQLite and PostgreSQL alike, and names the questionnaire's current version."""
    consultation, _token = make_consultation(org, alice, one_page, mode="open_link", groups=["clinician", "patient"],
                                             response_limit=40)
    expected = type(consultation).objects.get(pk=consultation.pk)
    read = respondent_sql.consultation_for_grant(str(consultation.uuid))
    for field in type(consultation)._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert read.groups == ["clinician", "patient"] and isinstance(read.uuid, uuid.UUID) and read.opens_at.tzinfo
    assert read.answering_version.pk == one_page.current_version_id
    assert read.answering_version.snapshot == one_page.current_version.snapshot
    assert respondent_sql.consultation_for_grant(str(uuid.uuid4())) is None
    assert respondent_sql.consultation_for_grant("not a uuid") is None
