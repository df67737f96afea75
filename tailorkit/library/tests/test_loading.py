"""Loading packs: all or nothing, idempotent, new versions update in place, every load audited."""

import pytest

from tailorkit.core.models import AuditEvent
from tailorkit.library.models import Category, ContentPack, Item, Link
from tailorkit.library.packfiles import PackError
from tailorkit.library.services import links_import_csv, pack_load


def snapshot():
    return (
        list(ContentPack.objects.values_list("slug", "version", "checksum")),
        list(Category.objects.values_list("pk", "code", "name", "parent_id")),
        list(Item.objects.values_list("pk", "code", "name", "category_id", "parent_id", "attributes")),
        list(Link.objects.values_list("pk", "weight")),
    )


def test_it_loads_categories_items_and_subitems(db, fixture_path, alice):
    result = pack_load(path=fixture_path("mini-strategies"), user=alice)
    pack = result.pack
    assert result.status == "loaded"
    assert pack.uploaded_by == alice and len(pack.checksum) == 64
    assert pack.categories.get(code="plan-local").parent.code == "plan"
    item = pack.items.get(code="1")
    assert item.attributes == {"mean_importance": 4.6, "mean_feasibility": 4.57, "go_zone_quadrant": "I",
                               "values_source": "W15T1"}
    assert pack.items.get(code="3a").parent.code == "3"
    assert pack.items.get(code="2").aliases == ["Use an implementation advisor"]


def test_it_leaves_absent_values_absent(db, pack_copy):
    folder = pack_copy("mini-strategies", lambda d: d["items"][1].update(attributes={"mean_importance": None}))
    pack = pack_load(path=folder).pack
    assert pack.items.get(code="2").attributes == {}


def test_it_records_an_audit_event(db, fixture_path, alice):
    pack_load(path=fixture_path("mini-strategies"), user=alice)
    event = AuditEvent.objects.get(action="library.pack_imported")
    assert event.actor == alice and event.target == "mini-strategies"
    assert event.details["status"] == "loaded" and event.details["counts"]["items_created"] == 5


def test_loading_the_same_pack_twice_changes_nothing(db, fixture_path):
    pack_load(path=fixture_path("mini-strategies"))
    before = snapshot()
    history = Item.history.count()
    result = pack_load(path=fixture_path("mini-strategies"))
    assert result.status == "unchanged"
    assert "nothing changed" in result.message
    assert snapshot() == before and Item.history.count() == history
    assert AuditEvent.objects.filter(action="library.pack_imported").count() == 1


def test_a_new_version_updates_items_in_place(db, strategies, pack_copy):
    ids = dict(Item.objects.values_list("code", "pk"))

    def change(data):
        data["version"] = "1.1"
        data["items"][0]["name"] = "Assess for readiness and identify barriers"
        data["items"].append({"code": "5", "name": "Audit and provide feedback", "category": "plan"})

    result = pack_load(path=pack_copy("mini-strategies", change))
    assert result.status == "updated"
    assert result.counts["items_updated"] == 1 and result.counts["items_created"] == 1
    renamed = Item.objects.get(pack=strategies, code="1")
    assert renamed.pk == ids["1"] and renamed.name == "Assess for readiness and identify barriers"
    assert ContentPack.objects.get(slug="mini-strategies").version == "1.1"
    assert Item.objects.get(code="3a").parent_id == ids["3"]


def test_a_new_version_deletes_unreferenced_items_and_retires_referenced_ones(db, strategies, barriers, pack_copy):
    links_import_csv(file=b"construct,strategy,percent\nAdaptability,Identify and prepare champions,30\n",
                     from_pack=barriers, to_pack=strategies, source_default="T1")

    def drop(data):
        data["version"] = "2.0"
        data["items"] = [i for i in data["items"] if i["code"] not in ("3", "3a", "4")]
        data["categories"] = [c for c in data["categories"] if c["code"] != "plan-local"]

    result = pack_load(path=pack_copy("mini-strategies", drop))
    champions = Item.objects.get(pack=strategies, code="3")
    assert champions.attributes["retired"] is True  # a link points at it, so it stays
    assert not Item.objects.filter(pack=strategies, code__in=["3a", "4"]).exists()
    assert not Category.objects.filter(pack=strategies, code="plan-local").exists()
    assert result.counts == {"items_retired": 1, "items_deleted": 2, "categories_deleted": 1}


def test_an_item_that_comes_back_is_no_longer_retired(db, strategies, barriers, pack_copy):
    links_import_csv(file=b"construct,strategy,percent\nAdaptability,Assess for readiness,30\n",
                     from_pack=barriers, to_pack=strategies, source_default="T1")
    pack_load(path=pack_copy("mini-strategies", lambda d: d.update(version="2", items=d["items"][1:])))
    assert Item.objects.get(pack=strategies, code="1").is_retired
    pack_load(path=pack_copy("mini-strategies", lambda d: d.update(version="3")))
    assert not Item.objects.get(pack=strategies, code="1").is_retired


def test_a_failed_load_leaves_the_library_unchanged(db, strategies, pack_copy):
    before = snapshot()

    def change(data):
        data["version"] = "1.1"
        data["items"][0]["name"] = "Changed"
        data["items"][4]["category"] = "missing"

    with pytest.raises(PackError):
        pack_load(path=pack_copy("mini-strategies", change))
    assert snapshot() == before
    assert not AuditEvent.objects.filter(details__status="updated").exists()


def test_it_rejects_changed_content_under_the_same_version(db, strategies, pack_copy):
    with pytest.raises(PackError) as caught:
        pack_load(path=pack_copy("mini-strategies", lambda d: d["items"][0].update(name="Changed")))
    assert "give the changed pack a new version" in str(caught.value)


def test_it_loads_a_links_pack_matching_names_loosely(db, strategies, barriers, fixture_path):
    result = pack_load(path=fixture_path("mini-links"))
    links = {(lk.from_item.code, lk.to_item.code): lk for lk in result.pack.links.all()}
    assert links[("C", "1")].weight == 73 and links[("C", "1")].source == "T1"
    assert links[("A", "2")].weight == 14  # "&"/"and", case and advisor/adviser
    assert links[("B", "3")].source.startswith("Test Author. Links for tests")  # empty source → pack citation


def test_the_csv_importer_reports_unknown_names_and_imports_nothing(db, strategies, barriers):
    csv_text = ("construct,strategy,percent,source\n"
                "Adaptability,Assess for readiness,73,T1\n"
                "Adaptability,Fly to the moon,10,T1\n"
                "Weather,Assess for readiness,12%,T1\n"
                "Self-efficacy,Train champions,lots,T1\n")
    with pytest.raises(PackError) as caught:
        links_import_csv(file=csv_text.encode(), from_pack=barriers, to_pack=strategies)
    assert [str(e) for e in caught.value.errors] == [
        "links.csv, row 3, field 'strategy': no item called 'Fly to the moon' in pack 'mini-strategies'.",
        "links.csv, row 4, field 'construct': no item called 'Weather' in pack 'mini-barriers'.",
        "links.csv, row 5, field 'percent': 'lots' is not a number.",
    ]
    assert Link.objects.count() == 0
    assert not ContentPack.objects.filter(kind="links").exists()


def test_the_csv_importer_names_a_missing_column(db, strategies, barriers):
    with pytest.raises(PackError) as caught:
        links_import_csv(file=b"barrier,strategy,percent\nA,1,5\n", from_pack=barriers, to_pack=strategies)
    assert "missing column(s): construct" in str(caught.value)


def test_the_csv_importer_matches_aliases_and_audits(db, strategies, barriers, alice):
    counts = links_import_csv(file=b"construct,strategy,percent\nSelf efficacy,Use an implementation advisor,7\n",
                              from_pack="mini-barriers", to_pack="mini-strategies", source_default="T9", user=alice)
    assert counts == {"links_created": 1}
    link = Link.objects.get()
    assert (link.from_item.code, link.to_item.code, link.weight, link.source) == ("B", "2", 7.0, "T9")
    assert AuditEvent.objects.filter(action="library.links_imported", actor=alice).exists()
