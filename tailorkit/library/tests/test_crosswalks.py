"""Crosswalk links between determinant lists, links packs drawn from several packs, and the shipped
crosswalk and CFIR–ERIC level 1/2 packs."""

import csv
import io
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from tailorkit.library.linkkinds import CROSSWALK, EXPERT_ENDORSEMENT_LEVEL12
from tailorkit.library.models import ContentPack, Item, Link
from tailorkit.library.packfiles import PackError
from tailorkit.library.services import pack_load, pack_validate

PACKS = Path(settings.BASE_DIR) / "content" / "packs"
REFERENCE = Path(settings.BASE_DIR) / "content" / "reference"
# The two versions of the iCBT list; they share item codes and names.
ICBT_PACKS = ("icbt-determinants", "icbt-determinants-itfits")


def write_pack(folder, manifest, **files):
    folder.mkdir()
    (folder / "pack.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True),
                                      encoding="utf-8")
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text, encoding="utf-8")
    return folder


def crosswalk(tmp_path, links, *, from_pack=("mini-barriers", "mini-barriers-copy"), name="xw", **extra):
    return write_pack(tmp_path / name, {
        "slug": name, "name": "Test crosswalk", "version": "1", "kind": "links", "source": "Test.",
        "licence": "CC0", "from_pack": list(from_pack) if isinstance(from_pack, tuple) else from_pack,
        "to_pack": "mini-strategies", "link_kind": CROSSWALK, "links": links, **extra})


def errors_for(path):
    with pytest.raises(PackError) as caught:
        pack_validate(path=path)
    return [str(e) for e in caught.value.errors]


@pytest.fixture
def two_barrier_lists(db, barriers, pack_copy, strategies):
    copy = pack_copy("mini-barriers", lambda d: d.update(slug="mini-barriers-copy"))
    return barriers, pack_load(path=copy).pack


# --- parsing and loading -------------------------------------------------------------------------


def test_a_crosswalk_link_is_made_once_per_listed_pack_with_its_rationale(two_barrier_lists, tmp_path):
    folder = crosswalk(tmp_path, [{"from_item": "Adaptability", "to_item": "1", "rationale": "Same ground."}])
    result = pack_load(path=folder)
    links = Link.objects.filter(pack=result.pack).select_related("from_item__pack")
    assert sorted(lk.from_item.pack.slug for lk in links) == ["mini-barriers", "mini-barriers-copy"]
    assert {(lk.kind, lk.weight, lk.rationale) for lk in links} == {(CROSSWALK, None, "Same ground.")}
    assert result.counts["links_created"] == 2


def test_a_single_from_pack_still_works_and_a_link_may_name_its_own(two_barrier_lists, tmp_path):
    folder = crosswalk(tmp_path, [
        {"from_item": "Self-efficacy", "to_item": "1", "rationale": "One."},
        {"from_pack": "mini-barriers-copy", "from_item": "C", "to_item": "2", "rationale": "Two."},
    ], from_pack="mini-barriers")
    pack = pack_load(path=folder).pack
    got = {(lk.from_item.pack.slug, lk.from_item.code, lk.rationale) for lk in pack.links.all()}
    assert got == {("mini-barriers", "B", "One."), ("mini-barriers-copy", "C", "Two.")}


def test_a_changed_rationale_updates_the_link_in_place(two_barrier_lists, tmp_path):
    first = pack_load(path=crosswalk(tmp_path, [{"from_item": "A", "to_item": "1", "rationale": "Old."}]))
    ids = set(first.pack.links.values_list("pk", flat=True))
    second = pack_load(path=crosswalk(tmp_path, [{"from_item": "A", "to_item": "1", "rationale": "New."}],
                                      name="xw2", slug="xw", version="2"))
    assert second.status == "updated" and second.counts["links_updated"] == 2
    assert set(second.pack.links.values_list("pk", flat=True)) == ids
    assert set(second.pack.links.values_list("rationale", flat=True)) == {"New."}


def test_other_links_may_carry_a_rationale_but_need_none(barriers, strategies, tmp_path):
    folder = crosswalk(tmp_path, [{"from_item": "A", "to_item": "1", "weight": 40},
                                  {"from_item": "B", "to_item": "1", "weight": 10, "rationale": "Why."}],
                       from_pack="mini-barriers", link_kind="expert_endorsement")
    pack = pack_load(path=folder).pack
    assert dict(pack.links.values_list("weight", "rationale")) == {40: "", 10: "Why."}


# --- mistakes ------------------------------------------------------------------------------------


def test_a_crosswalk_link_without_a_rationale_is_refused(two_barrier_lists, tmp_path):
    errors = errors_for(crosswalk(tmp_path, [{"from_item": "A", "to_item": "1"}]))
    assert errors == ["pack.yaml, links[0], field 'rationale': is required for a crosswalk link: say in one "
                      "line why the two items match."]
    assert not ContentPack.objects.filter(slug="xw").exists()


def test_a_crosswalk_link_with_a_weight_is_refused(two_barrier_lists, tmp_path):
    errors = errors_for(crosswalk(tmp_path, [{"from_item": "A", "to_item": "1", "weight": 50, "rationale": "R."}]))
    assert errors == ["pack.yaml, links[0], field 'weight': a crosswalk link maps an item onto its counterpart "
                      "and has no weight; leave it empty."]


def test_a_link_kind_crosswalk_on_one_link_is_checked_too(barriers, strategies, tmp_path):
    folder = crosswalk(tmp_path, [{"from_item": "A", "to_item": "1", "weight": 5},
                                  {"from_item": "B", "to_item": "1", "kind": "crosswalk", "weight": 5}],
                       from_pack="mini-barriers", link_kind="expert_endorsement")
    errors = errors_for(folder)
    assert [e.split(":")[0] for e in errors] == ["pack.yaml, links[1], field 'weight'",
                                                 "pack.yaml, links[1], field 'rationale'"]


def test_an_item_missing_from_one_of_several_from_packs_names_that_pack(two_barrier_lists, tmp_path, pack_copy):
    short = pack_copy("mini-barriers", lambda d: (d.update(slug="mini-barriers-short"), d["items"].pop()))
    pack_load(path=short)
    folder = crosswalk(tmp_path, [{"from_item": "Adaptability", "to_item": "1", "rationale": "R."}],
                       from_pack=("mini-barriers", "mini-barriers-short"))
    assert errors_for(folder) == ["pack.yaml, links[0], field 'from_item': no item called 'Adaptability' "
                                  "in pack 'mini-barriers-short'."]
    assert not Link.objects.exists()


@pytest.mark.parametrize(("value", "message"), [
    ([], "field 'from_pack': the list of packs is empty."),
    (["mini-barriers", "mini-barriers"], "field 'from_pack[1]': 'mini-barriers' is listed twice."),
    (["mini-barriers", "Not A Slug"], "field 'from_pack[1]': must be the slug of a loaded pack"),
])
def test_a_bad_list_of_from_packs_is_reported(two_barrier_lists, tmp_path, value, message):
    folder = crosswalk(tmp_path, [{"from_item": "A", "to_item": "1", "rationale": "R."}], from_pack=value)
    assert any(message in e for e in errors_for(folder))


def test_a_crosswalk_csv_needs_a_rationale_column_and_no_percent(two_barrier_lists, tmp_path):
    folder = write_pack(tmp_path / "xwcsv", {
        "slug": "xwcsv", "name": "CSV crosswalk", "version": "1", "kind": "links", "source": "Test.",
        "licence": "CC0", "from_pack": ["mini-barriers", "mini-barriers-copy"], "to_pack": "mini-strategies",
        "link_kind": "crosswalk", "links_csv": "links.csv"},
        links_csv="construct,strategy,percent,source,rationale\nA,1,,,Fits.\nB,1,20,,\n")
    assert errors_for(folder) == [
        "links.csv, row 3, field 'percent': a crosswalk link maps an item onto its counterpart and has no "
        "weight; leave it empty.",
        "links.csv, row 3, field 'rationale': is required for a crosswalk link: say in one line why the two "
        "items match."]


# --- the shipped packs ---------------------------------------------------------------------------


@pytest.fixture
def library(db):
    call_command("load_packs", stdout=io.StringIO())


def crosswalk_targets(pack_slug, from_slug, to_slug):
    targets = {}
    for link in Link.objects.filter(pack__slug=pack_slug, from_item__pack__slug=from_slug,
                                    to_item__pack__slug=to_slug).select_related("from_item", "to_item"):
        targets.setdefault(link.from_item.code, set()).add(link.to_item.name)
    return targets


def test_every_icbt_determinant_of_both_versions_has_crosswalks_to_both_cfir_versions(library):
    for icbt in ICBT_PACKS:
        codes = set(Item.objects.filter(pack__slug=icbt).values_list("code", flat=True))
        assert len(codes) == 37
        to_2009 = crosswalk_targets("crosswalk-icbt-cfir2009", icbt, "cfir-2009")
        to_2 = crosswalk_targets("crosswalk-icbt-cfir2", icbt, "cfir-2")
        assert set(to_2009) == codes and set(to_2) == codes, icbt
        assert all(1 <= len(t) <= 3 for t in to_2009.values())
        assert all(1 <= len(t) <= 3 for t in to_2.values())
    assert crosswalk_targets("crosswalk-icbt-cfir2009", "icbt-determinants", "cfir-2009")["4"] == {
        "Evidence Strength & Quality"}


def test_every_crosswalk_link_is_weightless_labelled_and_explained(library):
    links = Link.objects.filter(pack__slug__startswith="crosswalk-")
    assert links.count() == 2 * 67 + 2 * 71 + 56
    assert not links.exclude(kind=CROSSWALK).exists()
    assert not links.filter(weight__isnull=False).exists()
    assert not links.filter(rationale="").exists()
    assert set(links.values_list("source", flat=True)) == {"Tailorkit contributors' judgement", "DAM22T3"}
    assert not Link.objects.filter(kind=CROSSWALK).exclude(pack__slug__startswith="crosswalk-").exists()


def test_every_cfir_2009_construct_has_a_cfir_2_counterpart(library):
    targets = crosswalk_targets("crosswalk-cfir2009-cfir2", "cfir-2009", "cfir-2")
    assert len(targets) == 39
    assert targets["10"] == {"Partnerships & Connections"}  # Cosmopolitanism
    renamed = Link.objects.filter(pack__slug="crosswalk-cfir2009-cfir2", source="DAM22T3")
    assert sorted(lk.to_item.code for lk in renamed) == ["I.A", "I.B", "I.C", "I.D", "I.E", "I.F"]


def test_most_icbt_determinants_reach_cfir_2009_constructs_with_expert_evidence(library):
    evidenced = set(Link.objects.filter(from_item__pack__slug="cfir-2009", to_item__pack__slug="eric")
                    .exclude(kind=CROSSWALK).values_list("from_item_id", flat=True))
    reached = set(Link.objects.filter(pack__slug="crosswalk-icbt-cfir2009", from_item__pack__slug="icbt-determinants",
                                      to_item_id__in=evidenced).values_list("from_item__code", flat=True))
    # Costs (12), Policy (13) and Management (35) fit no construct with evidence; none was forced.
    assert set(map(str, range(1, 38))) - reached == {"12", "13", "35"}


def test_the_itfits_version_has_seven_groups_and_moves_two_determinants_to_healthcare_system(library):
    pack = ContentPack.objects.get(slug="icbt-determinants-itfits")
    assert list(pack.categories.values_list("name", flat=True)) == [
        "Acceptance", "Appropriateness", "Engagement", "Resources", "Working processes", "Leadership",
        "Healthcare system"]
    system = pack.items.filter(category__code="healthcare-system")
    assert sorted(system.values_list("name", flat=True)) == ["Health care system structures", "Policy"]
    assert all(item.attributes["group_rationale"] for item in system)
    vis = {i.code: i for i in Item.objects.filter(pack__slug="icbt-determinants")}
    for item in pack.items.all():
        assert (item.name, item.description) == (vis[item.code].name, vis[item.code].description)
        assert item.attributes["vis2018_group"] == vis[item.code].category.name
    assert ContentPack.objects.get(slug="icbt-determinants").categories.count() == 6  # the 2018 version stays


def test_the_level_1_2_pack_holds_exactly_the_printed_barriers_without_weights(library):
    with (REFERENCE / "cfir_eric_published_rows.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["source_id"] == "PMC11446052_T4"]
    assert len(rows) == 16
    expected = sum(len(r["endorsed_barriers_level1_2"].split(";")) for r in rows
                   if r["endorsed_barriers_level1_2"] != "None")
    links = Link.objects.filter(pack__slug="cfir-eric-pmc11446052")
    assert links.count() == expected == 56
    assert set(links.values_list("kind", flat=True)) == {EXPERT_ENDORSEMENT_LEVEL12}
    assert not links.filter(weight__isnull=False).exists()
    champions = set(links.filter(to_item__name="Identify and prepare champions")
                    .values_list("from_item__name", flat=True))
    assert {"Knowledge & Beliefs about the Intervention", "Innovation Participants"} <= champions
    assert len(champions) == 10
    assert not links.filter(to_item__name__in=["Obtain formal commitments"]).exists()


def test_the_shipped_level_1_2_csv_is_what_the_script_writes(library):
    import importlib.util

    spec = importlib.util.spec_from_file_location("script", Path(settings.BASE_DIR) / "scripts"
                                                  / "pmc11446052_links.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with (REFERENCE / "cfir_eric_published_rows.csv").open(encoding="utf-8") as handle:
        rows = script.long_rows(csv.DictReader(handle))
    shipped = (PACKS / "cfir-eric-pmc11446052" / "links.csv").read_text(encoding="utf-8")
    assert list(csv.DictReader(io.StringIO(shipped))) == rows
