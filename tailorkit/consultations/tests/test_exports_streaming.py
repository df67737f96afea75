"""The response downloads are streamed (issue 11, point 4): the same file as before, built a chunk of
responses at a time, with memory that does not grow with the number of responses."""

import csv
import io
import tracemalloc
import uuid
from datetime import UTC, date, datetime

import openpyxl
import pytest
from django.urls import reverse

from tailorkit.consultations.models import Answer, Invitation, Response
from tailorkit.consultations.services import delivery, exports
from tailorkit.consultations.services import results as exports_via_results
from tailorkit.core.models import AuditEvent

from .factories import CHOICE, LIKERT, NR, TEXT, add_response, make_consultation_asking

MULTI = {"key": "channels", "kind": "multiple", "text": "Where do you refer?",
         "options": [{"value": "web", "label": "Website"}, {"value": "gp", "label": "GP letter"}]}
RANK = {"key": "order", "kind": "ranking", "text": "Rank these",
        "options": [{"value": "a", "label": "Alpha"}, {"value": "b", "label": "Beta"},
                    {"value": "c", "label": "Gamma"}]}
NUMBER = {"key": "years", "kind": "number", "text": "Years in post", "min_value": -5, "max_value": 50}
ANSWERS = [
    {"role": "gp", "time": 4, "channels": ["web"], "order": ["b", "a", "c"], "years": 3, "help": "=SUM(A1)"},
    {"role": "nurse", "time": NR, "channels": [], "order": ["c"], "years": -2, "help": "Ça va, merci"},
    {"time": 2, "channels": ["web", "gp"], "help": 'line one\nline two, "quoted"'},
    {"role": "gp", "years": 12.5},
]
# What the export wrote before it was streamed (commit 821c638), byte for byte, for the consultation of
# ``identified`` below.
OLD_CSV = (
    b"\xef\xbb\xbfrespondent,group,questionnaire_version,submitted_on,email,submitted_at,role,time,channels__web,"
    b"channels__gp,order__a,order__b,order__c,years,help\r\n"
    b"1,,1,2026-11-17,,2026-11-17T09:30:00+00:00,gp,,,,,,,12.5,\r\n"
    b'2,clinician,1,2026-11-18,cy@example.org,2026-11-18T09:30:00+00:00,,2,1,1,,,,,"line one\nline two, ""quoted"""\r\n'
    b'3,manager,1,2026-11-19,ann@example.org,2026-11-19T09:30:00+00:00,nurse,not_relevant,0,0,,,1,-2,'
    b'"\xc3\x87a va, merci"\r\n'
    b"4,clinician,1,2026-11-20,'+bo@example.org,2026-11-20T09:30:00+00:00,gp,4,1,0,2,1,3,3,'=SUM(A1)\r\n"
)


@pytest.fixture
def identified(org, alice):
    consultation = make_consultation_asking(org, alice, [CHOICE, LIKERT, MULTI, RANK, NUMBER, TEXT], anonymous=False,
                                            groups=["clinician", "manager"])
    delivery.invitations_send(consultation=consultation, actor=alice,
                              text="ann@example.org, clinician\n+bo@example.org, manager\ncy@example.org, clinician")
    invitations = list(Invitation.objects.filter(consultation=consultation).order_by("email"))
    for i, answers in enumerate(ANSWERS):
        response = add_response(consultation, answers, group=["clinician", "manager", "clinician", ""][i],
                                day=date(2026, 11, 20 - i), invitation=invitations[i] if i < 3 else None)
        response.submitted_at = datetime(2026, 11, 20 - i, 9, 30, tzinfo=UTC)
        response.save()
    return consultation


def streamed(client, org, consultation, fmt):
    response = client.get(reverse("consultations:consultation_export", args=[org.slug, consultation.uuid, fmt]))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


def test_the_streamed_csv_is_the_file_written_before(client_for, org, alice, identified):
    data = streamed(client_for(alice), org, identified, "responses.csv")
    assert data == OLD_CSV
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[4][-1] == "'=SUM(A1)" and rows[2][-1] == 'line one\nline two, "quoted"'
    assert exports_via_results.export_responses_csv(consultation=identified, actor=alice) == OLD_CSV


def test_a_csv_of_many_chunks_has_every_response_once_in_order(org, alice, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 3)
    consultation = make_consultation_asking(org, alice, [LIKERT, TEXT], anonymous=False)
    for i in range(10):
        add_response(consultation, {"time": 1 + i % 5, "help": f"text {i}"}, day=date(2026, 11, 1 + i))
    chunks = list(exports.stream_responses_csv(consultation=consultation, actor=alice))
    assert len(chunks) == 4  # 10 rows in chunks of 3, and the last row
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, 11)]
    assert [r[-1] for r in rows[1:]] == [f"text {i}" for i in range(10)]


def test_the_streamed_xlsx_holds_the_same_table(client_for, org, alice, identified):
    data = streamed(client_for(alice), org, identified, "responses.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Responses", "Codebook"]
    table = [[c.value for c in row] for row in book["Responses"].iter_rows()]
    expected = list(csv.reader(io.StringIO(OLD_CSV.decode("utf-8-sig"))))
    assert table[0] == expected[0]
    # Numbers are numbers (not text) and empty cells are empty; everything else as in the CSV.
    assert [[str(v) if v is not None else "" for v in row] for row in table[1:]] == expected[1:]
    assert table[4][-2] == 3 and table[1][-2] == 12.5 and table[4][-1] == "'=SUM(A1)"
    assert all(cell.data_type != "f" for row in book["Responses"].iter_rows() for cell in row)
    assert [c.value for c in book["Codebook"][1]] == ["column", "question_key", "question", "type", "codes"]
    assert AuditEvent.objects.filter(action="consultation.exported", details__format="responses.xlsx",
                                     details__responses=4).count() == 1


def _bulk_responses(consultation, n, start=0):
    """``n`` anonymous responses in three groups, written in bulk (the factory's one by one is too slow)."""
    version = consultation.questionnaire.versions.get()
    org = consultation.organisation
    responses = Response.objects.bulk_create(
        [Response(organisation=org, consultation=consultation, version=version,
                  group=["clinician", "manager", ""][i % 3], submission_key=uuid.uuid4(),
                  submitted_on=date(2026, 11, 1)) for i in range(start, start + n)],
        batch_size=500)
    if responses[0].pk is None:  # backends that do not return ids from a bulk insert
        responses = list(Response.objects.filter(consultation=consultation).order_by("-pk")[:n])
    Answer.objects.bulk_create(
        [Answer(organisation=org, response=r, question_key=key, value=value)
         for i, r in enumerate(responses)
         for key, value in (("role", "gp"), ("time", 1 + i % 5), ("help", f"Answer number {start + i}, in words"))],
        batch_size=1000)


def _peak(build):
    """Peak traced memory (bytes) of reading a whole download without keeping it."""
    tracemalloc.start()
    try:
        size = 0
        for chunk in build():
            size += len(chunk)
        return tracemalloc.get_traced_memory()[1], size
    finally:
        tracemalloc.stop()


def test_the_memory_of_a_download_does_not_grow_with_the_responses(org, alice):
    consultation = make_consultation_asking(org, alice, [CHOICE, LIKERT, TEXT], groups=["clinician", "manager"])

    def csv_file():
        return exports.stream_responses_csv(consultation=consultation, actor=alice)

    def xlsx_file():
        with exports.export_responses_xlsx_file(consultation=consultation, actor=alice) as f:
            yield from iter(lambda: f.read(65536), b"")

    _bulk_responses(consultation, 2000)
    small = {"csv": _peak(csv_file), "xlsx": _peak(xlsx_file)}
    _bulk_responses(consultation, 6000, start=2000)
    large = {"csv": _peak(csv_file), "xlsx": _peak(xlsx_file)}
    for fmt in ("csv", "xlsx"):
        # Four times the responses, about four times the bytes, but not four times the memory: the
        # peak grows by less than 400 bytes per added response (what the anonymity check keeps per
        # row, ~150 bytes, and noise), where a file built in memory grows by its whole row and more
        # (the old export: ~13 kB per response).
        assert large[fmt][1] > 3 * small[fmt][1], fmt
        assert (large[fmt][0] - small[fmt][0]) / 6000 < 400, (fmt, small[fmt], large[fmt])
    print(small, large)
