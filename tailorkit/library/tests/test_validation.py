"""Checking pack files: every mistake is reported with file, place, field and message."""

import io
import zipfile

import pytest

from tailorkit.library.packfiles import PackError
from tailorkit.library.services import pack_validate


def errors_for(path=None, file=None):
    with pytest.raises(PackError) as caught:
        pack_validate(path=path, file=file)
    return [str(e) for e in caught.value.errors]


def test_it_accepts_a_well_formed_pack(db, fixture_path):
    parsed, links, existing = pack_validate(path=fixture_path("mini-strategies"))
    assert parsed.slug == "mini-strategies"
    assert [i["code"] for i in parsed.items] == ["1", "2", "3", "3a", "4"]
    assert existing is None and links == []


def test_it_reports_malformed_yaml_with_line_and_column(db, pack_copy):
    errors = errors_for(pack_copy("mini-strategies", raw="slug: x\nitems: [\n  - code: 1\n"))
    assert len(errors) == 1
    assert errors[0].startswith("pack.yaml, line ")
    assert "not valid YAML" in errors[0]


def test_it_rejects_yaml_aliases(db, pack_copy):
    errors = errors_for(pack_copy("mini-strategies", raw="a: &x [1]\nb: *x\n"))
    assert "aliases" in errors[0]


def test_it_refuses_deeply_nested_yaml_quickly_with_a_clear_message(db, pack_copy):
    # 400 KB of "[" made the YAML parser run for minutes (and libyaml can crash on it).
    errors = errors_for(pack_copy("mini-strategies", raw="slug: x\nitems: " + "[" * 400_000 + "\n"))
    assert len(errors) == 1
    assert "nested more than 50 levels deep" in errors[0] and errors[0].startswith("pack.yaml, line 2")


def test_it_reports_each_missing_required_field(db, pack_copy):
    def change(data):
        del data["source"]
        data["licence"] = ""
        del data["items"][1]["name"]

    errors = errors_for(pack_copy("mini-strategies", change))
    assert "pack.yaml, field 'source': is required." in errors
    assert "pack.yaml, field 'licence': is required." in errors
    assert "pack.yaml, items[1] (code '2'), field 'name': is required." in errors


def test_it_rejects_a_duplicate_item_code(db, pack_copy):
    def change(data):
        data["items"][2]["code"] = "1"

    errors = errors_for(pack_copy("mini-strategies", change))
    assert "pack.yaml, items[2] (code '1'), field 'code': duplicate code; already used by items[0]." in errors


def test_it_rejects_an_unknown_category(db, pack_copy):
    def change(data):
        data["items"][4]["category"] = "foo"

    errors = errors_for(pack_copy("mini-strategies", change))
    assert errors == ["pack.yaml, items[4] (code '4'), field 'category': unknown category 'foo'."]


def test_it_rejects_an_unknown_parent_and_a_parent_loop(db, pack_copy):
    def change(data):
        data["items"][0]["parent"] = "99"
        data["categories"][0]["parent"] = "plan-local"

    errors = errors_for(pack_copy("mini-strategies", change))
    assert "pack.yaml, items[0] (code '1'), field 'parent': unknown item '99'." in errors
    assert any("categories[0] (code 'plan'), field 'parent': parents go round in a loop" in e for e in errors)


def test_it_checks_attribute_types(db, pack_copy):
    def change(data):
        data["items"][0]["attributes"] = {"mean_importance": 7, "go_zone_quadrant": "V", "nested": {"a": 1},
                                          "retired": True, "mean_feasibility": None}

    errors = errors_for(pack_copy("mini-strategies", change))
    where = "pack.yaml, items[0] (code '1'), field 'attributes."
    assert any(e.startswith(where + "mean_importance'") and "1 to 5" in e for e in errors)
    assert any(e.startswith(where + "go_zone_quadrant'") for e in errors)
    assert any(e.startswith(where + "nested'") for e in errors)
    assert any(e.startswith(where + "retired'") for e in errors)
    assert not any("mean_feasibility" in e for e in errors)  # null means "not in the source": allowed


def test_it_asks_for_quotes_around_a_numeric_version(db, pack_copy):
    errors = errors_for(pack_copy("mini-strategies", lambda d: d.update(version=2015.10)))
    assert errors == ["pack.yaml, field 'version': must be text; put the value in quotes, e.g. \"2015.1\"."]


def test_it_names_an_unknown_field(db, pack_copy):
    errors = errors_for(pack_copy("mini-strategies", lambda d: d["items"][0].update(catgory="plan")))
    assert errors[0].startswith("pack.yaml, items[0] (code '1'), field 'catgory': unknown field")


def test_it_rejects_a_reserved_slug_and_an_unknown_kind(db, pack_copy):
    errors = errors_for(pack_copy("mini-strategies", lambda d: d.update(slug="search", kind="recipes")))
    assert any("field 'slug': 'search' is reserved" in e for e in errors)
    assert any(e.startswith("pack.yaml, field 'kind': must be one of") for e in errors)


def test_it_reads_a_zip_with_pack_yaml_and_csv(db, fixture_path, barriers, strategies):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("pack.yaml", "links.csv"):
            archive.write(fixture_path("mini-links") / name, f"mini-links/{name}")
    buffer.seek(0)
    buffer.name = "mini-links.zip"
    parsed, links, _existing = pack_validate(file=buffer)
    assert parsed.kind == "links" and len(links) == 3


def test_it_rejects_a_file_that_is_not_yaml_or_zip(db):
    upload = io.BytesIO(b"hello")
    upload.name = "notes.txt"
    assert errors_for(file=upload) == ["notes.txt: must be a .yaml file or a .zip file holding pack.yaml."]


def test_it_rejects_unknown_link_endpoints_with_row_numbers(db, pack_copy, barriers, strategies):
    folder = pack_copy("mini-links")
    (folder / "links.csv").write_text(
        "construct,strategy,percent,source\nAdaptability,Assess for readiness,73,T1\n"
        "Adaptibility,Assess for readiness,10,T1\nAdaptability,Do magic,5,T1\n", encoding="utf-8")
    errors = errors_for(folder)
    assert errors == [
        "links.csv, row 3, field 'construct': no item called 'Adaptibility' in pack 'mini-barriers'.",
        "links.csv, row 4, field 'strategy': no item called 'Do magic' in pack 'mini-strategies'.",
    ]


def test_it_asks_to_load_link_endpoints_first(db, fixture_path):
    errors = errors_for(fixture_path("mini-links"))
    assert "links.csv, row 2, field 'from_pack': pack 'mini-barriers' is not loaded; load it first." in errors
