"""The minimum group size holds in every output of an anonymous consultation: the results page,
its charts, the CSV and XLSX downloads, the API, the instrument scores, the consensus-round
feedback, the project summary and its PDF — and the rule itself (``tailorkit.core.anonymity``) keeps
its promise for any data."""

import csv
import io
from collections import Counter

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from tailorkit.api import services as api_services
from tailorkit.consultations.models import ConsultationTemplate, QuestionnaireVersion
from tailorkit.consultations.services import delivery, instruments, rounds
from tailorkit.consultations.services import results as exports
from tailorkit.consultations.tests.factories import CHOICE, LIKERT, TEXT, add_response, make_consultation_asking
from tailorkit.core.anonymity import WITHHELD, mask_rows, withheld_groups
from tailorkit.library.tests.factories import tiny_library
from tailorkit.projects import stakeholders
from tailorkit.projects.services import goals
from tailorkit.projects.services import projects as project_services

GROUPS = ["clinician", "manager", "patient"]


@pytest.fixture
def small(org, alice):
    """Anonymous, minimum group size 5, four answers: the only manager and three patients."""
    consultation = make_consultation_asking(org, alice, [CHOICE, LIKERT, TEXT], groups=GROUPS, min_group_size=5)
    add_response(consultation, {"role": "gp", "time": 1, "help": "The manager's own words"}, group="manager")
    for i in range(3):
        add_response(consultation, {"role": "nurse", "time": 5, "help": f"patient {i}"}, group="patient")
    return consultation


def _api(user, path):
    _token, raw = api_services.token_create(user=user, name="anonymity")
    return Client(headers={"Authorization": f"Bearer {raw}"}).get(path)


def _csv(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_below_the_threshold_no_download_gives_any_response(client_for, org, alice, small):
    for build in (exports.export_responses_csv, exports.export_responses_xlsx):
        with pytest.raises(ValidationError, match="fewer than 5 responses"):
            build(consultation=small, actor=alice)
    client = client_for(alice)
    for fmt in ("responses.csv", "responses.xlsx"):
        url = reverse("consultations:consultation_export", args=[org.slug, small.uuid, fmt])
        response = client.get(url, follow=True)
        body = response.content.decode()
        assert "attachment" not in response.get("Content-Disposition", "")
        assert "cannot be downloaded yet" in body and "The manager&#x27;s own words" not in body
    # The codebook says what the columns mean and holds no answer: it stays available.
    codebook = client.get(reverse("consultations:consultation_export", args=[org.slug, small.uuid, "codebook.csv"]))
    assert codebook.status_code == 200 and b"The manager's own words" not in codebook.content


def test_below_the_threshold_the_page_and_the_api_show_nothing_about_anyone(client_for, org, alice, small):
    page = (
        client_for(alice)
        .get(reverse("consultations:consultation_results", args=[org.slug, small.uuid]))
        .content.decode()
    )
    assert "withheld to protect anonymity" in page
    assert "own words" not in page and "<svg" not in page and "data:image/svg" not in page
    assert "The responses can be downloaded once at least 5 people have answered" in page
    assert reverse("consultations:consultation_export", args=[org.slug, small.uuid, "responses.csv"]) not in page

    body = _api(alice, f"/api/organisations/{org.slug}/consultations/{small.uuid}/results").json()
    assert body["withheld"] is True and body["questions"] == []
    assert all(g["withheld"] and g["responses"] is None for g in body["groups"])


@pytest.fixture
def mixed(org, alice):
    """Anonymous, minimum 5: six clinicians, one manager, five patients (twelve answers)."""
    consultation = make_consultation_asking(org, alice, [CHOICE, LIKERT, TEXT], groups=GROUPS, min_group_size=5)
    rows = [("clinician", 4)] * 6 + [("manager", 1)] + [("patient", 2)] * 5
    for i, (group, time) in enumerate(rows):
        add_response(consultation, {"role": "gp", "time": time, "help": f"text {i}"}, group=group)
    return consultation


def test_a_lone_manager_cannot_be_picked_out_of_the_files(alice, mixed):
    header, *rows = _csv(exports.export_responses_csv(consultation=mixed, actor=alice))
    groups = Counter(dict(zip(header, row, strict=True))["group"] for row in rows)
    # The manager is withheld, and with them the smallest shown group (secondary suppression), so
    # that "all rows minus the groups shown" does not point at the manager.
    assert "manager" not in groups and groups[WITHHELD] >= 5
    assert all(n >= 5 for n in groups.values())
    assert "submitted_on" not in header

    book = openpyxl.load_workbook(io.BytesIO(exports.export_responses_xlsx(consultation=mixed, actor=alice)))
    sheet = book["Responses"]
    column = [c.value for c in sheet[1]].index("group")
    xlsx_groups = Counter(row[column].value for row in sheet.iter_rows(min_row=2))
    assert xlsx_groups == groups
    codebook = {row[0].value: row[4].value for row in book["Codebook"].iter_rows(min_row=2)}
    assert "withheld = " in codebook["group"]


def test_a_questionnaire_version_answered_by_one_person_is_withheld(alice, mixed):
    # One respondent answered an older version: the version number alone would single them out.
    old = QuestionnaireVersion.objects.create(
        organisation=mixed.organisation,
        questionnaire=mixed.questionnaire,
        number=0,
        snapshot=mixed.questionnaire.versions.get().snapshot,
        created_by=alice,
    )
    response = mixed.responses.filter(group="clinician").first()
    response.version = old
    response.save()
    header, *rows = _csv(exports.export_responses_csv(consultation=mixed, actor=alice))
    versions = Counter(dict(zip(header, row, strict=True))["questionnaire_version"] for row in rows)
    assert "0" not in versions and all(n >= 5 for n in versions.values())


def test_the_page_api_and_scores_withhold_the_same_groups(client_for, org, alice, mixed):
    page = (
        client_for(alice)
        .get(reverse("consultations:consultation_results", args=[org.slug, mixed.uuid]))
        .content.decode()
    )
    assert "Fewer than 5 answers from the group “Manager”" in page
    body = _api(alice, f"/api/organisations/{org.slug}/consultations/{mixed.uuid}/results").json()
    shown = {g["group"] for g in body["groups"] if not g["withheld"]}
    assert shown == {"clinician"}
    for question in body["questions"]:
        by_group = {g["group"]: {k: v for k, v in g.items() if v is not None} for g in question["groups"]}
        assert set(by_group["manager"]) == {"group", "label", "withheld", "note"}
        assert by_group["manager"]["withheld"] is True
        # Secondary suppression, the same as in the files.
        assert set(by_group["patient"]) == {"group", "label", "withheld", "note"}


def test_the_api_pages_of_free_text_withhold_what_the_results_withhold(org, alice, small, mixed):
    def texts(consultation, query=""):
        return _api(alice, f"/api/organisations/{org.slug}/consultations/{consultation.uuid}/results/texts/help"
                           f"{query}").json()

    for query in ("", "?group=manager", "?group=patient"):
        body = texts(small, query)
        assert body["withheld"] is True and body["items"] == [] and body["count"] == 0
        assert "own words" not in str(body) and "patient 0" not in str(body)
    # The lone manager, and the patients with them (secondary suppression), as in the results.
    for query in ("?group=manager", "?group=patient"):
        body = texts(mixed, query)
        assert body["withheld"] is True and body["items"] == [] and body["count"] == 0
    assert texts(mixed, "?group=clinician")["items"] == [f"text {i}" for i in range(6)]
    assert texts(mixed)["count"] == 12


def test_instrument_scores_withhold_small_groups_without_their_size(org, alice):
    questionnaire = instruments.instrument_questionnaire_create(organisation=org, actor=alice, instrument="aim_iam_fim")
    consultation, _token = delivery.consultation_create(
        organisation=org, questionnaire=questionnaire, actor=alice, title="AIM", groups=GROUPS, min_group_size=5
    )
    keys = [q["key"] for q in questionnaire.versions.order_by("-number").first().questions()]
    for group in ["clinician"] * 5 + ["manager"]:
        add_response(consultation, dict.fromkeys(keys, 4), group=group)
    scores = instruments.instrument_scores(consultation)
    for scale in scores["scales"]:
        groups = {g["label"]: g for g in scale["groups"]}
        assert groups["Manager"]["withheld"] and groups["Manager"]["n"] is None
        assert "summary" not in groups["Manager"]


def test_round_feedback_withholds_below_the_threshold(alice, small):
    new, _token = rounds.round_create_next(consultation=small, actor=alice, title="Round 2")
    feedback = rounds.previous_round_feedback(new)
    assert set(feedback) == {"__all__"} and feedback["__all__"]["withheld"] is True


# --- The rule itself, for any data ------------------------------------------------------------

counts = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(min_value=0, max_value=12), max_size=8)


@settings(max_examples=300, deadline=None)
@given(counts=counts, threshold=st.integers(min_value=1, max_value=8))
def test_withheld_groups_cannot_be_worked_out_from_the_total(counts, threshold):
    hidden = withheld_groups(counts, threshold)
    assert all(counts[g] >= threshold for g in counts if g not in hidden and counts[g] > 0)
    hidden_total = sum(counts[g] for g in hidden)
    # Either the withheld groups together are as large as the threshold, or everything is withheld.
    assert not hidden or hidden_total >= threshold or all(g in hidden for g, n in counts.items() if n > 0)


rows = st.lists(
    st.tuples(st.sampled_from(["", "a", "b", "c", "d"]), st.integers(min_value=1, max_value=3)), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(rows=rows, threshold=st.integers(min_value=1, max_value=7))
def test_every_released_row_hides_among_at_least_the_threshold(rows, threshold):
    if len(rows) < threshold:
        with pytest.raises(ValueError):
            mask_rows(rows, threshold)
        return
    released = mask_rows(rows, threshold)
    assert len(released) == len(rows)
    for original, out in zip(rows, released, strict=True):
        assert all(o == r or r == WITHHELD for o, r in zip(original, out, strict=True))
    assert all(n >= threshold for n in Counter(released).values())


# --- The project summary and its PDF (issue 10) --------------------------------------------------


@pytest.fixture
def consulted_project(org, alice):
    """A project whose barrier prioritisation (anonymous, minimum group size 5) four people answered,
    one of them the only manager; the first barrier's importance has a mean of 1.75."""
    packs = tiny_library(prefix="anon")
    project = project_services.project_create(
        organisation=org, user=alice, name="Small clinic", service="Memory clinic", team=[alice],
        determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])
    barrier = goals.barrier_add_custom(project=project, user=alice, name="Long waits", category="Process")
    consultation = stakeholders.consultation_from_step(
        project=project, iteration=project.current_iteration, template=ConsultationTemplate.BARRIER_PRIORITISATION,
        user=alice)
    assert consultation.anonymous and consultation.min_group_size == 5
    for group, importance in [("manager", 1), ("patient", 2), ("patient", 2), ("patient", 2)]:
        add_response(consultation, {f"barrier-{barrier.pk}__importance": importance,
                                    f"barrier-{barrier.pk}__changeability": 4}, group=group)
    return project, consultation, barrier


def _summary_and_pdf(client, project):
    args = [project.organisation.slug, project.pk]
    page = client.get(reverse("projects:project_summary", args=args)).content.decode()
    pdf = client.get(reverse("projects:project_summary_pdf", args=args)).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return page.split("What stakeholders said", 1)[1], text.split("What stakeholders said", 1)[1]


def test_the_project_summary_and_its_pdf_withhold_a_consultation_below_the_threshold(
        client_for, alice, consulted_project):
    project, _consultation, _barrier = consulted_project
    page, pdf = _summary_and_pdf(client_for(alice), project)
    for output in (page, pdf):
        assert "Results withheld: fewer than 5 people have answered" in output
        assert "4 people answered" in output
        assert "1.8" not in output and "1.75" not in output and "Long waits" not in output
    assert "data:image/svg" not in page  # no chart of the stakeholders' answers either


def test_the_project_summary_withholds_each_figure_below_the_threshold_and_names_no_group(
        client_for, alice, consulted_project):
    project, consultation, barrier = consulted_project
    # A fifth person rates only the changeability: 5 answers there, 4 about the importance.
    add_response(consultation, {f"barrier-{barrier.pk}__changeability": 3}, group="clinician")
    page, pdf = _summary_and_pdf(client_for(alice), project)
    for output in (page, pdf):
        assert "Long waits" in output and "3.8" in output  # changeability: (4 + 4 + 4 + 4 + 3) / 5
        assert "withheld" in output and "1.8" not in output
        # Group breakdowns (with their secondary suppression) stay on the results page.
        assert "Manager" not in output and "manager" not in output
