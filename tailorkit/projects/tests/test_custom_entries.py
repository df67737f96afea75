"""Suggestions for custom entries (issue 12, point 5): the closest items of the project's own lists
for a custom barrier or strategy, linking an entry to one, or keeping it as written."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tailorkit.core.locking import StaleEdit
from tailorkit.core.models import AuditEvent
from tailorkit.library.models import ContentPack, Item
from tailorkit.projects.models import Barrier, StrategyOption
from tailorkit.projects.selectors import custom_entries as reads
from tailorkit.projects.services import custom_entries as services
from tailorkit.projects.services import goals, matching, projects


def url(name, project, *args):
    return reverse(name, args=[project.organisation.slug, project.pk, *args])


def icbt(code):
    return Item.objects.get(pack__slug="icbt-determinants", code=code)


def eric(code):
    return Item.objects.get(pack__slug="eric", code=code)


@pytest.fixture
def unknown(project, alice):
    return goals.barrier_add_custom(project=project, user=alice, name="GPs do not know the programme exists",
                                    category="Acceptance")


# --- suggestions ---------------------------------------------------------------------------------


def test_a_custom_barrier_gets_the_closest_items_of_its_own_list(project, unknown):
    found = reads.barrier_suggestions(project, [unknown])[unknown.pk]
    assert found[0].item == icbt("7")  # Awareness
    assert "know" in found[0].why and "exists" in found[0].why
    assert all(c.item.pack_id == project.determinant_pack_id for c in found)
    assert 1 <= len(found) <= reads.SHOWN


def test_items_already_on_the_list_and_retired_items_are_not_suggested(project, alice, unknown):
    goals.barrier_add_from_pack(project=project, user=alice, item=icbt("7"))
    Item.objects.filter(pk=icbt("34").pk).update(attributes={"retired": True})
    codes = {c.item.code for c in reads.barrier_suggestions(project, [unknown])[unknown.pk]}
    assert codes and not codes & {"7", "34"}


def test_barriers_of_the_list_get_no_suggestions(project, alice):
    barrier = goals.barrier_add_from_pack(project=project, user=alice, item=icbt("7"))
    assert reads.barrier_suggestions(project, [barrier]) == {}


def test_a_custom_strategy_gets_the_closest_strategies_of_its_catalogue(project, iteration):
    option = iteration.chosen_option  # "Audit and feedback", custom
    found = reads.option_suggestions(project, [option])[option.pk]
    assert found[0].item == eric("5")  # Audit and provide feedback
    assert all(c.item.pack_id == project.strategy_pack_id for c in found)


# --- linking ---------------------------------------------------------------------------------------


def test_linking_makes_the_barrier_an_item_and_keeps_the_teams_words(project, alice, unknown):
    barrier = services.barrier_link_item(project=project, user=alice, barrier=unknown, item=icbt("7"),
                                         version=unknown.version)
    barrier.refresh_from_db()
    assert barrier.item == icbt("7") and not barrier.is_custom
    assert barrier.custom_name == "GPs do not know the programme exists"
    assert barrier.version == unknown.version + 1
    assert barrier.history.count() == 2


def test_a_stale_link_is_refused_and_changes_nothing(project, alice, bob, unknown):
    goals.barrier_update(project=project, user=bob, barrier=unknown, version=unknown.version, notes="Bob's notes",
                         name="GPs have never heard of it", category="Acceptance")
    with pytest.raises(StaleEdit):
        services.barrier_link_item(project=project, user=alice, barrier=unknown, item=icbt("7"),
                                   version=unknown.version)
    unknown.refresh_from_db()
    assert unknown.item is None and unknown.custom_name == "GPs have never heard of it"


def test_an_item_of_another_pack_is_refused(project, alice, unknown):
    for item in (eric("5"), Item.objects.get(pack__slug="cfir-2009", code="27")):
        with pytest.raises(ValidationError, match="not in this project's barrier list"):
            services.barrier_link_item(project=project, user=alice, barrier=unknown, item=item, version=1)
    unknown.refresh_from_db()
    assert unknown.item is None


def test_the_item_of_another_projects_list_is_refused(project, org, alice, unknown):
    other = projects.project_create(organisation=org, user=alice, name="CFIR project", service="iCBT",
                                    determinant_pack=ContentPack.objects.get(slug="cfir-2009"),
                                    strategy_pack=ContentPack.objects.get(slug="eric"), team=[alice])
    theirs = goals.barrier_add_custom(project=other, user=alice, name="No feedback", category="Inner Setting")
    cfir_item = Item.objects.get(pack__slug="cfir-2009", code="21")
    with pytest.raises(ValidationError, match="not in this project's barrier list"):
        services.barrier_link_item(project=project, user=alice, barrier=unknown, item=cfir_item, version=1)
    with pytest.raises(ValidationError, match="barrier of this project"):
        services.barrier_link_item(project=project, user=alice, barrier=theirs, item=icbt("7"), version=1)
    theirs.refresh_from_db()
    assert theirs.item is None


def test_a_retired_item_and_a_duplicate_are_refused(project, alice, unknown):
    Item.objects.filter(pk=icbt("34").pk).update(attributes={"retired": True})
    with pytest.raises(ValidationError, match="no longer part"):
        services.barrier_link_item(project=project, user=alice, barrier=unknown, item=icbt("34"), version=1)
    goals.barrier_add_from_pack(project=project, user=alice, item=icbt("7"))
    with pytest.raises(ValidationError, match="already on your list"):
        services.barrier_link_item(project=project, user=alice, barrier=unknown, item=icbt("7"), version=1)
    assert Barrier.objects.filter(project=project, item=icbt("7")).count() == 1


def test_linking_a_strategy_checks_the_catalogue_the_version_and_duplicates(project, alice, iteration):
    option = iteration.chosen_option
    with pytest.raises(ValidationError, match="not in this project's strategy catalogue"):
        services.option_link_item(project=project, user=alice, option=option, item=icbt("7"), version=1)
    with pytest.raises(StaleEdit):
        services.option_link_item(project=project, user=alice, option=option, item=eric("5"), version=7)
    matching.option_add_from_pack(project=project, user=alice, barrier=option.barrier, item=eric("26"))
    with pytest.raises(ValidationError, match="already a candidate"):
        services.option_link_item(project=project, user=alice, option=option, item=eric("26"), version=1)
    linked = services.option_link_item(project=project, user=alice, option=option, item=eric("5"), version=1)
    assert linked.item == eric("5") and linked.custom_name == "Audit and feedback"


# --- keeping as written --------------------------------------------------------------------------


def test_keeping_as_written_hides_the_suggestions_until_the_wording_changes(project, alice, unknown):
    services.barrier_keep_custom(project=project, user=alice, barrier=unknown)
    event = AuditEvent.objects.get(action=reads.KEPT_ACTION)
    assert event.organisation == project.organisation and event.details["name"] == unknown.custom_name
    assert reads.barrier_suggestions(project, [unknown]) == {}
    changed = goals.barrier_update(project=project, user=alice, barrier=unknown, version=unknown.version, notes="",
                                   name="Referrers are not aware of the programme", category="Acceptance")
    assert changed.pk in reads.barrier_suggestions(project, [changed])


# --- pages -----------------------------------------------------------------------------------------


def test_the_goals_page_shows_the_suggestion_and_linking_works(client_for, alice, project, unknown):
    client = client_for(alice)
    html = client.get(url("projects:project_step_goals", project)).content.decode()
    assert "Closest in Determinants of iCBT implementation:" in html
    assert "Use “Awareness” instead" in html and "Keep as written" in html
    link = url("projects:project_barrier_link", project, unknown.pk)
    assert f'action="{link}"' in html
    response = client.post(link, {"item": icbt("7").pk, "version": unknown.version}, follow=True)
    assert response.redirect_chain[0] == (url("projects:project_step_goals", project) + "#barriers", 302)
    html = response.content.decode()
    assert "is now “Awareness” of the list" in html
    assert "in your words: “GPs do not know the programme exists”" in html
    assert "Use “Awareness” instead" not in html
    assert Barrier.objects.get(pk=unknown.pk).item == icbt("7")


def test_a_stale_or_wrong_link_from_the_page_says_so_and_changes_nothing(client_for, alice, project, unknown):
    client = client_for(alice)
    link = url("projects:project_barrier_link", project, unknown.pk)
    html = client.post(link, {"item": icbt("7").pk, "version": unknown.version + 1}, follow=True).content.decode()
    assert "Someone else changed “GPs do not know the programme exists”" in html
    html = client.post(link, {"item": eric("5").pk, "version": unknown.version}, follow=True).content.decode()
    assert "not in this project&#x27;s barrier list" in html
    html = client.post(link, {"item": icbt("7").pk, "version": "x"}, follow=True).content.decode()
    assert "Someone else changed" in html
    html = client.post(link, {"item": "nonsense", "version": unknown.version}, follow=True).content.decode()
    assert "not in this project&#x27;s barrier list" in html
    for huge in ("99999999999999999999999", str(2**31)):   # beyond any database integer: refused, no error
        html = client.post(link, {"item": huge, "version": unknown.version}, follow=True).content.decode()
        assert "not in this project&#x27;s barrier list" in html
        html = client.post(link, {"item": icbt("7").pk, "version": huge}, follow=True).content.decode()
        assert "Someone else changed" in html
    assert Barrier.objects.get(pk=unknown.pk).item is None
    assert client.get(link).status_code == 405


def test_keep_as_written_from_the_page(client_for, alice, project, unknown):
    client = client_for(alice)
    response = client.post(url("projects:project_barrier_keep", project, unknown.pk), follow=True)
    html = response.content.decode()
    assert "is kept as written" in html and "Use “Awareness” instead" not in html
    assert "GPs do not know the programme exists" in html


def test_the_matching_page_shows_the_suggestion_for_a_custom_strategy(client_for, alice, project, iteration):
    client = client_for(alice)
    option = iteration.chosen_option
    html = client.get(url("projects:project_step_match", project)).content.decode()
    assert "Closest in" in html and "Use “Audit and provide feedback” instead" in html
    response = client.post(url("projects:project_option_link", project, option.pk),
                           {"item": eric("5").pk, "version": option.version})
    assert response.status_code == 302 and response["Location"].endswith("#candidates")
    assert StrategyOption.objects.get(pk=option.pk).item == eric("5")
    html = client.get(url("projects:project_step_match", project)).content.decode()
    assert "in your words: “Audit and feedback”" in html
    response = client.post(url("projects:project_option_keep", project, option.pk), follow=True)
    assert "already an item of your list" in response.content.decode()


def test_outsiders_get_404_and_viewers_403(client_for, mallory, dave, project, unknown):
    for name in ("projects:project_barrier_link", "projects:project_barrier_keep"):
        target = url(name, project, unknown.pk)
        assert client_for(mallory).post(target, {"item": icbt("7").pk, "version": 1}).status_code == 404
        assert client_for(dave).post(target, {"item": icbt("7").pk, "version": 1}).status_code == 403
    unknown.refresh_from_db()
    assert unknown.item is None and not AuditEvent.objects.filter(action=reads.KEPT_ACTION).exists()
