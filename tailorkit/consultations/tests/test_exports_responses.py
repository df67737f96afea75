import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tailorkit.consultations.models import Invitation
from tailorkit.consultations.services import delivery
from tailorkit.consultations.services import results as exports
from tailorkit.core.models import AuditEvent

from .factories import CHOICE, LIKERT, NR, TEXT, add_response, make_consultation_asking

MULTI = {
    "key": "channels",
    "kind": "multiple",
    "text": "Where do you refer?",
    "options": [{"value": "web", "label": "Website"}, {"value": "gp", "label": "GP letter"}],
}
NUMBER = {"key": "years", "kind": "number", "text": "Years in post", "min_value": -5, "max_value": 50}
DANGEROUS = ['=HYPERLINK("http://evil")', "+1+2", "-3+4", "@SUM(A1)", "\tcmd", "\rcmd", "plain text"]


@pytest.fixture
def consultation(org, alice):
    return make_consultation_asking(org, alice, [CHOICE, LIKERT, MULTI, NUMBER, TEXT], groups=["clinician"])


def fill(consultation):
    for i, text in enumerate(DANGEROUS):
        add_response(
            consultation,
            {
                "role": "gp",
                "time": NR if i == 0 else 4,
                "channels": ["web"] if i else [],
                "years": -2 if i == 1 else 10,
                "help": text,
            },
            group="clinician",
        )


def read_csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_has_one_column_per_value_and_neutralises_formulas(consultation, alice):
    fill(consultation)
    rows = read_csv(exports.export_responses_csv(consultation=consultation, actor=alice))
    header = rows[0]
    assert header == [
        "respondent",
        "group",
        "questionnaire_version",
        "role",
        "time",
        "channels__web",
        "channels__gp",
        "years",
        "help",
    ]
    body = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert len(body) == 7
    assert sorted(r["help"] for r in body) == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1+2", "'-3+4", "'@SUM(A1)", "'\tcmd", "'\rcmd", "plain text"]
    )
    first = next(r for r in body if r["help"].startswith("'=HYPER"))
    assert first["time"] == "not_relevant" and first["channels__web"] == "0"
    # Numbers are numbers, never prefixed, even when negative.
    assert next(r for r in body if r["help"] == "'+1+2")["years"] == "-2"


def test_the_xlsx_has_responses_and_a_codebook(consultation, alice):
    fill(consultation)
    book = openpyxl.load_workbook(io.BytesIO(exports.export_responses_xlsx(consultation=consultation, actor=alice)))
    assert book.sheetnames == ["Responses", "Codebook"]
    sheet = book["Responses"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)]
    helps = {r["help"] for r in rows}
    assert '\'=HYPERLINK("http://evil")' in helps and "'@SUM(A1)" in helps and "plain text" in helps
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert {r["years"] for r in rows} == {10, -2}
    codebook = {row[0].value: [c.value for c in row] for row in book["Codebook"].iter_rows(min_row=2)}
    assert codebook["time"][1:4] == ["time", "Lack of time is a barrier", "likert5"]
    assert codebook["time"][4].startswith("1 = Strongly disagree; 2 = Disagree")
    assert "not_relevant = answered “not relevant”" in codebook["time"][4]
    assert codebook["channels__gp"][4].startswith("1 = chosen, 0 = not chosen (GP letter)")
    assert codebook["role"][4].startswith("gp = GP; nurse = Nurse")


def test_an_anonymous_export_holds_nothing_identifying(org, alice, consultation):
    fill(consultation)
    header = read_csv(exports.export_responses_csv(consultation=consultation, actor=alice))[0]
    assert "email" not in header and "submitted_at" not in header and "submitted_on" not in header


def test_an_identified_export_names_the_invitee(org, alice):
    consultation = make_consultation_asking(org, alice, [LIKERT], anonymous=False)
    delivery.invitations_send(consultation=consultation, actor=alice, text="=evil@example.org")
    invitation = Invitation.objects.get(consultation=consultation)
    add_response(consultation, {"time": 3}, invitation=invitation)
    rows = read_csv(exports.export_responses_csv(consultation=consultation, actor=alice))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["email"] == "'=evil@example.org"


def test_an_empty_consultation_gives_a_clear_message_and_no_file(client_for, alice, org, consultation):
    with pytest.raises(ValidationError, match="no responses to export yet"):
        exports.export_responses_xlsx(consultation=consultation, actor=alice)
    url = reverse("consultations:consultation_export", args=[org.slug, consultation.uuid, "responses.csv"])
    response = client_for(alice).get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "consultations:consultation_results", args=[org.slug, consultation.uuid]
    )
    assert "There are no responses to export yet" in response.content.decode()
    assert not AuditEvent.objects.filter(action="consultation.exported").exists()


def test_every_export_is_audited_and_only_the_team_may_export(client_for, org, bob, dave, mallory, consultation):
    fill(consultation)
    for fmt in ("responses.csv", "codebook.csv", "responses.xlsx"):
        url = reverse("consultations:consultation_export", args=[org.slug, consultation.uuid, fmt])
        response = client_for(bob).get(url)
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    formats = sorted(
        AuditEvent.objects.filter(action="consultation.exported").values_list("details__format", flat=True)
    )
    assert formats == ["codebook.csv", "responses.csv", "responses.xlsx"]
    assert AuditEvent.objects.filter(action="consultation.exported", actor=bob).count() == 3
    url = reverse("consultations:consultation_export", args=[org.slug, consultation.uuid, "responses.csv"])
    assert client_for(dave).get(url).status_code == 403
    assert client_for(mallory).get(url).status_code == 404
    assert client_for(bob).get(url.replace("responses.csv", "passwords.txt")).status_code == 404
