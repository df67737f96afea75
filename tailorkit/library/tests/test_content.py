"""The real content packs in content/packs/ and the published CFIR–ERIC rows.

These read the shipped packs, so they fail if a pack is missing or its counts drift from the
sources (see content/reference/README.md for where each count comes from).
"""

import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tailorkit.library.convert import long_csv, per_barrier_to_long
from tailorkit.library.models import ContentPack, Item, Link
from tailorkit.library.services import links_import_csv, pack_load

PACKS = Path(settings.BASE_DIR) / "content" / "packs"
# A copy of ../shared/data (with its provenance README) lives in the repo, so a clean clone tests
# against the same published rows.
SHARED = Path(settings.BASE_DIR) / "content" / "reference"


def need_shared(name):
    return SHARED / name


@pytest.fixture
def library(db):
    out = io.StringIO()
    call_command("load_packs", stdout=out)
    return out.getvalue()


def count(slug, **filters):
    return Item.objects.filter(pack__slug=slug, **filters).count()


def test_the_built_in_packs_have_the_published_counts(library):
    assert count("icbt-determinants") == 37
    assert ContentPack.objects.get(slug="icbt-determinants").categories.count() == 6
    assert count("cfir-2", parent__isnull=True) == 48
    assert count("cfir-2", parent__isnull=False) == 19
    assert ContentPack.objects.get(slug="cfir-2").categories.filter(parent__isnull=True).count() == 5
    assert count("cfir-2009") == 39
    assert count("eric") == 73
    assert ContentPack.objects.get(slug="eric").categories.count() == 9
    assert count("tailoring-principles") == 6
    assert count("apease") == 6
    assert count("tidier") == 12
    assert count("proctor") == 7


def test_every_built_in_pack_cites_its_source_and_licence(library):
    for pack in ContentPack.objects.all():
        assert pack.source and pack.licence and pack.is_builtin, pack.slug


def test_eric_ratings_appear_only_where_the_source_gives_them(library):
    with need_shared("eric_strategies.csv").open(encoding="utf-8") as handle:
        rows = {row["strategy_no"]: row for row in csv.DictReader(handle)}
    items = list(Item.objects.filter(pack__slug="eric"))
    assert sum("mean_importance" in i.attributes for i in items) >= 24
    for item in items:
        row = rows[str(item.attributes.get("strategy_no", item.code))]
        for key in ("mean_importance", "mean_feasibility"):
            if row[key]:
                assert item.attributes[key] == pytest.approx(float(row[key])), (item.code, key)
            else:
                assert key not in item.attributes, (item.code, key)
        if row["go_zone_quadrant"]:
            assert item.attributes["go_zone_quadrant"] == row["go_zone_quadrant"]
        else:
            assert "go_zone_quadrant" not in item.attributes


def test_loading_the_built_in_packs_again_changes_nothing(library):
    out = io.StringIO()
    call_command("load_packs", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == len(library.strip().splitlines())
    assert all(line.endswith(": unchanged") for line in lines)
    # Links packs load last, after every pack they point at.
    links = {p.slug for p in ContentPack.objects.filter(kind="links")}
    loaded = [line.split(" ")[0] for line in lines]
    assert {"cfir-eric-allen2023", "crosswalk-icbt-cfir2009"} <= links
    assert all(slug in links for slug in loaded[-len(links):])


def test_load_packs_fails_with_the_error_list(db, pack_copy):
    broken = pack_copy("mini-strategies", lambda d: d["items"][0].update(category="nowhere"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 pack"):
        call_command("load_packs", str(broken), stdout=io.StringIO(), stderr=err)
    assert "items[0] (code '1'), field 'category': unknown category 'nowhere'." in err.getvalue()
    assert not ContentPack.objects.exists()


def test_the_allen_2023_rows_import_against_cfir_2009_and_eric(db):
    for slug in ("cfir-2009", "eric"):
        pack_load(path=PACKS / slug)
    with need_shared("cfir_eric_published_rows.csv").open(encoding="utf-8") as handle:
        published = list(csv.DictReader(handle))
    rows = per_barrier_to_long(published, source_id="ALLEN2023_T3")
    assert per_barrier_to_long(published, source_id="PMC11446052_T4") == []  # no per-barrier numbers printed
    counts = links_import_csv(file=long_csv(rows).encode(), from_pack="cfir-2009", to_pack="eric")
    assert counts["links_created"] == len(rows) == 91

    def weight(barrier, strategy):
        return Link.objects.get(from_item__pack__slug="cfir-2009", from_item__name=barrier,
                                to_item__pack__slug="eric", to_item__name=strategy).weight

    assert weight("Adaptability", "Promote adaptability") == 73
    assert weight("Patient Needs & Resources", "Involve patients/consumers and family members") == 71
    assert weight("Self-efficacy", "Model and simulate change") == 33
    adviser = Item.objects.get(pack__slug="eric", name__icontains="implementation advis")
    assert adviser.links_in.get(from_item__name="Complexity").weight == 10


def test_the_shipped_allen_links_pack_matches_the_published_rows(library):
    with need_shared("cfir_eric_published_rows.csv").open(encoding="utf-8") as handle:
        expected = long_csv(per_barrier_to_long(csv.DictReader(handle), source_id="ALLEN2023_T3"))
    assert (PACKS / "cfir-eric-allen2023" / "links.csv").read_text(encoding="utf-8") == expected
    pack = ContentPack.objects.get(slug="cfir-eric-allen2023")
    assert pack.links.count() == 91 and "Allen CG" in pack.source
    assert pack.links.get(from_item__name="Adaptability", to_item__name="Promote adaptability").weight == 73
