"""Browsing, searching and uploading packs through the web pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tailorkit.core.models import AuditEvent
from tailorkit.library.models import ContentPack, Item
from tailorkit.library.services import pack_load


def test_the_home_page_groups_packs_by_kind_with_counts(client, strategies, barriers):
    page = client.get(reverse("library:library_home")).content.decode()
    assert "Implementation strategies" in page and "Determinants (barriers and enablers)" in page
    assert "5 items" in page and "3 groups" in page
    assert 'role="search"' in page


def test_the_home_page_explains_an_empty_library(client, db):
    assert "The library is empty" in client.get(reverse("library:library_home")).content.decode()


def test_a_pack_page_shows_citation_licence_version_and_tree(client, strategies):
    page = client.get(reverse("library:pack_detail", args=["mini-strategies"])).content.decode()
    assert "Test Author. A tiny catalogue." in page and "CC0 (test data)" in page and "1.0" in page
    assert page.index("Plan the change") < page.index("Local planning") < page.index("Conduct local consensus")
    assert "Train champions" in page


def test_an_unknown_pack_or_item_is_404(client, strategies):
    assert client.get(reverse("library:pack_detail", args=["nope"])).status_code == 404
    assert client.get(reverse("library:item_detail", args=["mini-strategies", "99"])).status_code == 404


def test_an_item_page_states_ratings_in_plain_words(client, strategies):
    page = client.get(reverse("library:item_detail", args=["mini-strategies", "1"])).content.decode()
    assert "Expert importance" in page and "4.6 / 5 (Waltz 2015, Table 1)" in page
    assert "4.57 / 5 (Waltz 2015, Table 1)" in page


def test_an_item_page_says_when_the_source_gives_no_rating(client, strategies):
    page = client.get(reverse("library:item_detail", args=["mini-strategies", "2"])).content.decode()
    assert page.count("not rated in the source") == 2
    assert "not given in the source" in page
    assert "Use an implementation advisor" in page  # the alias


def test_an_item_page_shows_evidence_links_both_ways(client, strategies, barriers, fixture_path):
    pack_load(path=fixture_path("mini-links"))
    strategy_page = client.get(reverse("library:item_detail", args=["mini-strategies", "1"])).content.decode()
    assert "Linked from" in strategy_page and "Adaptability" in strategy_page and "73% of experts" in strategy_page
    barrier_page = client.get(reverse("library:item_detail", args=["mini-barriers", "C"])).content.decode()
    assert "Linked to" in barrier_page and "Assess for readiness" in barrier_page
    parent = client.get(reverse("library:item_detail", args=["mini-strategies", "3"])).content.decode()
    assert "Train champions" in parent


def test_search_finds_an_item_by_alias_grouped_by_pack(client, strategies, barriers):
    response = client.get(reverse("library:library_search"), {"q": "ADVISOR"})
    page = response.content.decode()
    assert "Use an implementation adviser" in page and "Mini strategies" in page
    assert "1 match" in page


def test_search_can_be_limited_to_one_pack(client, strategies, barriers):
    page = client.get(reverse("library:library_search"), {"q": "a", "pack": "mini-barriers"}).content.decode()
    assert "Adaptability" in page and "Assess for readiness" not in page


def test_search_without_matches_suggests_what_to_do(client, strategies):
    page = client.get(reverse("library:library_search"), {"q": "zebra"}).content.decode()
    assert "Nothing in the library matches" in page and "Try a shorter word" in page


def test_search_answers_htmx_with_the_results_partial_only(client, strategies):
    response = client.get(reverse("library:library_search"), {"q": "champions"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Identify and prepare champions" in page
    assert "<html" not in page and "<form" not in page


def test_search_hides_retired_items(client, strategies, barriers, pack_copy):
    from tailorkit.library.services import links_import_csv

    links_import_csv(
        file=b"construct,strategy,percent\nAdaptability,Assess for readiness,30\n",
        from_pack=barriers,
        to_pack=strategies,
        source_default="T1",
    )
    pack_load(path=pack_copy("mini-strategies", lambda d: d.update(version="2", items=d["items"][1:])))
    assert (
        "Assess for readiness" not in client.get(reverse("library:library_search"), {"q": "readiness"}).content.decode()
    )


@pytest.mark.parametrize("who", [None, "alice", "mallory"])
def test_upload_is_404_for_everyone_but_staff(client, who, request):
    if who:
        client.force_login(request.getfixturevalue(who))
    else:
        request.getfixturevalue("db")
    assert client.get(reverse("library:pack_upload")).status_code == 404
    upload = SimpleUploadedFile("pack.yaml", b"slug: x\n")
    assert client.post(reverse("library:pack_upload"), {"file": upload}).status_code == 404


def test_staff_can_upload_a_pack(client, staff, fixture_path):
    client.force_login(staff)
    upload = SimpleUploadedFile("pack.yaml", (fixture_path("mini-strategies") / "pack.yaml").read_bytes())
    response = client.post(reverse("library:pack_upload"), {"file": upload}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("library:pack_detail", args=["mini-strategies"])
    assert "Mini strategies 1.0 loaded." in response.content.decode()
    pack = ContentPack.objects.get(slug="mini-strategies")
    assert pack.uploaded_by == staff and not pack.is_builtin
    assert AuditEvent.objects.filter(action="library.pack_imported", actor=staff).exists()


def test_an_upload_with_mistakes_lists_them_and_saves_nothing(client, staff, fixture_path):
    client.force_login(staff)
    text = (fixture_path("mini-strategies") / "pack.yaml").read_text().replace("category: people", "category: peple")
    response = client.post(reverse("library:pack_upload"), {"file": SimpleUploadedFile("pack.yaml", text.encode())})
    page = response.content.decode()
    assert response.status_code == 400
    assert "3 problems to fix" in page
    assert "pack.yaml, items[1] (code &#x27;2&#x27;), field &#x27;category&#x27;: unknown category" in page
    assert "Nothing was saved." in page
    assert not ContentPack.objects.exists() and not Item.objects.exists()
