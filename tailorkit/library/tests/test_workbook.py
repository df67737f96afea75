"""The CFIR–ERIC Matching Tool workbook (a wide matrix, XLSX or CSV) as a links pack; replacing and
deleting packs. Workbooks are built here with openpyxl, laid out like the downloaded tool: title
rows, a heading row of barriers, a strategy column, percent-formatted fractions, a cluster column
and a cumulative column."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tailorkit.core.models import AuditEvent
from tailorkit.library.models import ContentPack, Link
from tailorkit.library.services import (
    PackError,
    links_import_csv,
    links_pack_import_workbook,
    pack_delete,
    pack_load,
)

PACKS = Path(__file__).resolve().parents[3] / "content" / "packs"
HEADINGS = ["ERIC cluster", "Strategy", "Patient Needs and Resources", "Self efficacy", "Adaptability",
            "Cumulative %"]
ROWS = [  # cluster, strategy, then fractions for the three barriers, then the cumulative sum
    ("Plan the change", None, None, None, None, None),  # a cluster heading row without values
    ("Plan", "Assess for readiness", 0.73, 0.05, 0, 0.78),
    ("People", "Use an implementation advisor", 0.14, None, 0.5, 0.64),
    ("People", "Identify & prepare champions", 0.3, 0.227, 0.1, 0.627),
]


def matching_tool(rows=ROWS, headings=HEADINGS, *, percent_format="0%", first_sheet=True):
    """An .xlsx like the downloaded tool: a "Read me" sheet, then the matrix under two title rows."""
    book = openpyxl.Workbook()
    if first_sheet:
        book.active.title = "Read me"
        book.active["A1"] = "How to use the CFIR-ERIC Matching Tool"
        sheet = book.create_sheet("Strategy matrix")
    else:
        sheet = book.active
    sheet["A1"] = "CFIR-ERIC Implementation Strategy Matching Tool"
    sheet["A2"] = "Percent of experts who endorsed each strategy for each barrier"
    sheet.append([])
    sheet.append(headings)
    for row in rows:
        sheet.append(list(row))
    for line in sheet.iter_rows(min_row=5, min_col=3):
        for cell in line:
            if isinstance(cell.value, float | int) and percent_format:
                cell.number_format = percent_format
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def load(data, barriers, strategies, **kwargs):
    options = {"slug": "matching-tool", "name": "CFIR–ERIC Matching Tool", "version": "1",
               "source": "Waltz 2019", "licence": "Facts", "link_source": "Matching Tool (Waltz 2019)"}
    options.update(kwargs)
    return links_pack_import_workbook(file=data, from_pack=barriers, to_pack=strategies, **options)


def weights(slug="matching-tool"):
    return {(lk.from_item.code, lk.to_item.code): lk.weight
            for lk in Link.objects.filter(pack__slug=slug).select_related("from_item", "to_item")}


def test_the_workbook_loads_as_it_comes(barriers, strategies):
    result = load(matching_tool(), barriers, strategies)
    # Fractions shown as percents become percents; 0 and empty cells make no link.
    assert weights() == {("A", "1"): 73, ("B", "1"): 5, ("A", "2"): 14, ("C", "2"): 50,
                         ("A", "3"): 30, ("B", "3"): 22.7, ("C", "3"): 10}
    assert result.status == "loaded" and result.counts == {"links_created": 7}
    assert result.workbook.sheet == "Strategy matrix" and result.workbook.header_row == 4
    assert result.workbook.skipped == ["ERIC cluster", "Cumulative %"]
    pack = ContentPack.objects.get(slug="matching-tool")
    assert pack.kind == "links" and pack.version == "1" and "Strategy matrix" in pack.description
    assert set(Link.objects.values_list("source", flat=True)) == {"Matching Tool (Waltz 2019)"}
    assert "Links: 7." in result.message and "Rows read: 3; columns read: 3." in result.message
    assert "Skipped as summaries: 'ERIC cluster', 'Cumulative %'." in result.message
    assert AuditEvent.objects.filter(action="library.workbook_imported", target="matching-tool").exists()


def test_plain_fractions_and_percents_are_both_read_as_percents(barriers, strategies):
    load(matching_tool(percent_format=None), barriers, strategies)
    assert weights()[("A", "1")] == 73
    percents = [(c, s, *(v * 100 if isinstance(v, float) else v for v in vals)) for c, s, *vals in ROWS]
    load(matching_tool(percents, first_sheet=False, percent_format=None), barriers, strategies, slug="as-percents",
         link_source="as percents")
    assert weights("as-percents") == weights()


def test_a_csv_export_with_semicolons_and_percent_signs_loads(barriers, strategies):
    text = ("CFIR-ERIC Matching Tool;;;\n"
            "Strategy;Adaptability;Self-efficacy;Total\n"
            "Assess for readiness;73%;;73%\n"
            "Train champions;12,5%;0%;12,5%\n")
    load(SimpleUploadedFile("matching.csv", text.encode("cp1252")), barriers, strategies)
    assert weights() == {("C", "1"): 73, ("C", "3a"): 12.5}


def test_a_sheet_with_strategies_across_and_barriers_down_also_loads(barriers, strategies):
    text = "Barrier,Assess for readiness,Train champions\nAdaptability,40,\nSelf-efficacy,,25\n"
    load(text.encode(), barriers, strategies)
    assert weights() == {("C", "1"): 40, ("B", "3a"): 25}


def test_unknown_names_are_listed_with_the_closest_names_and_nothing_is_loaded(barriers, strategies):
    headings = ["ERIC cluster", "Strategy", "Patient Needs and Resources", "Adaptibility", "Notes", "Cumulative %"]
    rows = [("Plan", "Assess for readines", 0.73, 0.05, "see text", 0.78),
            ("People", "Use an implementation advisor", 0.14, "lots", None, 0.14)]
    with pytest.raises(PackError) as caught:
        load(matching_tool(rows, headings), barriers, strategies)
    problems = [str(p) for p in caught.value.errors]
    assert problems == [
        "workbook.xlsx, sheet 'Strategy matrix', cell D4: 'Adaptibility' is not a name in Mini barriers. "
        "Closest known names: 'Adaptability'.",
        "workbook.xlsx, sheet 'Strategy matrix', cell E4: 'Notes' is not a name in Mini barriers. "
        "No known name is close; check the spelling or the chosen pack.",
        "workbook.xlsx, sheet 'Strategy matrix', cell B5: 'Assess for readines' is not a name in Mini strategies. "
        "Closest known names: 'Assess for readiness'.",
    ]
    assert not ContentPack.objects.filter(slug="matching-tool").exists() and not Link.objects.exists()


def test_a_value_that_is_not_a_percent_is_named_by_its_cell(barriers, strategies):
    rows = [("Plan", "Assess for readiness", 0.73, "lots", 130, None)]
    with pytest.raises(PackError) as caught:
        load(matching_tool(rows, percent_format=None), barriers, strategies)
    assert [str(p) for p in caught.value.errors] == [
        "workbook.xlsx, sheet 'Strategy matrix', cell D5: 'lots' is not a number or a percent.",
        "workbook.xlsx, sheet 'Strategy matrix', cell E5: 130 is not a percent from 0 to 100.",
    ]
    assert not Link.objects.exists()


@pytest.mark.parametrize("data, expected", [
    (b"PK\x03\x04 not really a workbook", "is not a readable Excel workbook"),
    (b"Strategy,Cost,Size\nAssess for readiness,10,20\n", "no sheet has a row naming items of Mini barriers"),
    (b"Strategy,Adaptability,Self-efficacy\nMystery,10,20\n", "no column names items of Mini strategies"),
    (b"Strategy,Adaptability,Self-efficacy\nAssess for readiness,0,\n", "has no endorsements"),
    (b"Strategy,Adaptability,Self-efficacy,Adaptability\nAssess for readiness,1,2,3\n",
     "'Adaptability' is the same item as row 1, column B"),
    (b"Strategy,Adaptability,Self-efficacy,\nAssess for readiness,1,2,3\n",
     "column D has values but no heading"),
])
def test_an_unexpected_layout_gets_a_specific_problem(barriers, strategies, data, expected):
    with pytest.raises(PackError) as caught:
        load(data, barriers, strategies)
    assert expected in str(caught.value)
    assert not ContentPack.objects.filter(kind="links").exists()


def test_a_newer_version_replaces_the_links(barriers, strategies):
    load(matching_tool(), barriers, strategies)
    newer = [("Plan", "Assess for readiness", 0.75, None, None, 0.75),  # B–1 dropped, A–1 changed
             ("People", "Use an implementation advisor", 0.14, None, 0.5, 0.64),
             ("People", "Identify & prepare champions", 0.3, 0.227, 0.1, 0.627)]
    result = load(matching_tool(newer), barriers, strategies, version="2", replace=True, name="Matching Tool 2")
    assert result.status == "replaced"
    assert result.counts == {"links_updated": 1, "links_deleted": 1}
    assert "Links now: 6 (added: 0, changed: 1, removed: 1)." in result.message
    assert weights()[("A", "1")] == 75 and ("B", "1") not in weights() and len(weights()) == 6
    pack = ContentPack.objects.get(slug="matching-tool")
    assert (pack.version, pack.name) == ("2", "Matching Tool 2")


def test_a_replacement_needs_a_new_version_and_a_new_pack_a_free_name(barriers, strategies):
    load(matching_tool(), barriers, strategies)
    with pytest.raises(PackError, match="version 1 is the one loaded now"):
        load(matching_tool(), barriers, strategies, replace=True)
    with pytest.raises(PackError, match="a pack called 'matching-tool' already exists"):
        load(matching_tool(), barriers, strategies, version="2")
    with pytest.raises(PackError, match="pack 'mini-barriers' is not a links pack"):
        load(matching_tool(), barriers, strategies, slug="mini-barriers", version="2", replace=True)
    assert ContentPack.objects.get(slug="matching-tool").version == "1" and len(weights()) == 7


def test_the_long_format_still_loads_beside_a_workbook_pack(barriers, strategies):
    load(matching_tool(), barriers, strategies)
    counts = links_import_csv(file=b"construct,strategy,percent\nAdaptability,Assess for readiness,30\n",
                              from_pack=barriers, to_pack=strategies, source_default="T1")
    assert counts == {"links_created": 1}
    assert len(weights()) == 7


def test_the_real_packs_take_the_full_matrix_with_numbered_names(db):
    cfir, eric = pack_load(path=PACKS / "cfir-2009").pack, pack_load(path=PACKS / "eric").pack
    constructs, strategies = list(cfir.items.order_by("order")), list(eric.items.order_by("order"))
    headings = ["#", "ERIC strategy"] + [f"{c.code}. {c.name}" for c in constructs] + ["Cumulative"]
    # Sparse like the real tool (most pairs 0 %), which also keeps the test quick.
    rows = [(n, f"{n}. {s.name}", *[((n + i) % 10) / 20 if (n + i) % 9 == 0 else 0 for i in range(len(constructs))],
             None) for n, s in enumerate(strategies, start=1)]
    result = load(matching_tool(rows, headings), cfir, eric)
    assert (result.workbook.n_columns, result.workbook.n_rows) == (39, 73)
    expected = sum(1 for _n, _s, *vals, _c in rows for v in vals if v)
    assert Link.objects.filter(pack=result.pack).count() == expected
    assert weights()[(constructs[8].code, strategies[0].code)] == 45  # (1 + 8) % 10 / 20 as a percent
    assert (constructs[1].code, strategies[0].code) not in weights()


# --- deleting --------------------------------------------------------------------------------------


def test_a_links_pack_is_deleted_after_confirmation(client, staff, barriers, strategies):
    load(matching_tool(), barriers, strategies)
    client.force_login(staff)
    url = reverse("library:pack_delete", args=["matching-tool"])
    page = client.get(url).content.decode()
    assert "Its 7 links are deleted with it." in page and "Yes, delete" in page
    assert ContentPack.objects.filter(slug="matching-tool").exists()  # a GET deletes nothing
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("library:library_home")
    assert "CFIR–ERIC Matching Tool 1 was deleted." in response.content.decode()
    assert not ContentPack.objects.filter(slug="matching-tool").exists() and not Link.objects.exists()
    event = AuditEvent.objects.get(action="library.pack_deleted")
    assert event.target == "matching-tool" and event.details["counts"]["links"] == 7


def test_a_pack_that_other_packs_link_to_cannot_be_deleted(client, staff, barriers, strategies):
    load(matching_tool(), barriers, strategies)
    with pytest.raises(PackError, match="links packs point at its items: CFIR–ERIC Matching Tool"):
        pack_delete(pack=strategies)
    client.force_login(staff)
    url = reverse("library:pack_delete", args=["mini-strategies"])
    page = client.get(url).content.decode()
    assert "This pack cannot be deleted" in page and "Yes, delete" not in page
    assert client.post(url).status_code == 400
    assert ContentPack.objects.filter(slug="mini-strategies").exists() and Link.objects.count() == 7
    assert not AuditEvent.objects.filter(action="library.pack_deleted").exists()


def test_a_pack_that_a_project_uses_cannot_be_deleted(barriers, strategies, org, alice):
    # The library may not import projects (layers run one way), so the model is looked up by name.
    project_model = apps.get_model("projects", "Project")
    project_model.objects.create(organisation=org, name="iCBT roll-out", service="iCBT", owner=alice,
                                 determinant_pack=barriers, strategy_pack=strategies)
    with pytest.raises(PackError, match=r"projects use it \(project: 1\)\. A pack in use cannot be deleted"):
        pack_delete(pack=barriers)
    assert barriers.items.count() == 3


# --- pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "alice", "mallory"])
def test_workbook_and_delete_pages_are_404_for_everyone_but_staff(client, who, request, barriers, strategies):
    if who:
        client.force_login(request.getfixturevalue(who))
    for url in (reverse("library:workbook_upload"), reverse("library:pack_delete", args=["mini-barriers"])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"file": SimpleUploadedFile("m.xlsx", matching_tool())}).status_code == 404
    assert ContentPack.objects.count() == 2
    page = client.get(reverse("library:pack_detail", args=["mini-barriers"])).content.decode()
    assert "Delete" not in page


def form_data(data, **changes):
    values = {"file": SimpleUploadedFile("CFIR-ERIC-Matching-Tool.xlsx", data), "from_pack": "mini-barriers",
              "to_pack": "mini-strategies", "mode": "new", "slug": "matching-tool", "name": "CFIR–ERIC Matching Tool",
              "version": "1", "source": "Waltz 2019", "link_source": "Waltz 2019 tool", "licence": "Facts"}
    values.update(changes)
    return values


def test_staff_upload_a_workbook_and_then_a_newer_version_through_the_pages(client, staff, barriers, strategies):
    client.force_login(staff)
    url = reverse("library:workbook_upload")
    form = client.get(url).content.decode()
    assert "CFIR–ERIC Matching Tool" in form and "Fernández ME" in form
    response = client.post(url, form_data(matching_tool()), follow=True)
    assert response.redirect_chain[-1][0] == reverse("library:pack_detail", args=["matching-tool"])
    page = response.content.decode()
    assert "CFIR–ERIC Matching Tool 1 loaded. Links: 7." in page
    assert "Replace with a newer version" in page and f'{url}?replace=matching-tool' in page
    prefilled = client.get(url, {"replace": "matching-tool"}).content.decode()
    assert re.search(r'value="replace"[^>]* checked', prefilled)
    assert "Replace CFIR–ERIC Matching Tool with a newer version" in prefilled
    newer = [("Plan", "Assess for readiness", 0.75, None, None, 0.75)]
    response = client.post(url, form_data(matching_tool(newer), mode="replace", replace_pack="matching-tool",
                                          slug="", version="2"), follow=True)
    assert "version 2. Links now: 1 (added: 0, changed: 1, removed: 6)." in response.content.decode()
    assert weights() == {("A", "1"): 75}


def test_a_workbook_with_problems_is_shown_again_with_the_list(client, staff, barriers, strategies):
    client.force_login(staff)
    headings = ["Cluster", "Strategy", "Self efficacy", "Adaptibility"]
    response = client.post(reverse("library:workbook_upload"),
                           form_data(matching_tool([("Plan", "Assess for readiness", 0.5, 0.2)], headings)))
    page = response.content.decode()
    assert response.status_code == 400
    assert "The workbook was not loaded: 1 problem to fix" in page
    assert "sheet &#x27;Strategy matrix&#x27;, cell D4" in page
    assert "Closest known names: &#x27;Adaptability&#x27;." in page and "Nothing was saved." in page
    assert not ContentPack.objects.filter(kind="links").exists()


def test_a_replacement_without_a_pack_to_replace_is_a_form_error(client, staff, barriers, strategies):
    client.force_login(staff)
    response = client.post(reverse("library:workbook_upload"), form_data(matching_tool(), mode="replace"))
    assert "Choose the pack that this workbook replaces." in response.content.decode()
    assert not ContentPack.objects.filter(kind="links").exists()


@pytest.mark.parametrize("name", ["CFIR-ERIC-Matching-Tool.xlsx", "matching.csv", "renamed.zip"])
def test_a_spreadsheet_sent_to_the_pack_form_is_pointed_to_the_workbook_form(client, staff, name):
    client.force_login(staff)
    data = matching_tool() if not name.endswith(".csv") else b"Strategy,Adaptability\n"
    response = client.post(reverse("library:pack_upload"), {"file": SimpleUploadedFile(name, data)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "is a spreadsheet." in page and "must contain exactly one pack.yaml" not in page
    assert reverse("library:workbook_upload") in page
    assert not ContentPack.objects.exists()
