"""Step 2 without stumbles (issue 10): the way on to step 3 after a choice, a catalogue search,
Add that goes back to where it was, and APEASE wording that says which end is good."""

import pytest
from django.urls import reverse

from tailorkit.library.models import Item
from tailorkit.projects.models import StrategyOption
from tailorkit.projects.selectors.matching import catalogue
from tailorkit.projects.services import matching

from .test_matching import focus_on

CONTINUE = "Continue to step 3: design and plan"


def url(name, project, *args):
    return reverse(name, args=[project.organisation.slug, project.pk, *args])


@pytest.fixture
def barrier(project, alice):
    return focus_on(project, alice, custom="No rooms")


def eric(name):
    return Item.objects.get(pack__slug="eric", name=name)


# --- on to step 3 ------------------------------------------------------------------------------------


def test_after_choosing_the_confirmation_leads_on_to_step_3(client_for, alice, project, barrier):
    option = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    client = client_for(alice)
    html = client.get(url("projects:project_step_match", project)).content.decode()
    assert CONTINUE not in html  # nothing chosen yet: no way on
    response = client.post(url("projects:project_option_choose", project, option.pk) + "?iteration=1",
                           {"justification": "Best on APEASE", "version": project.current_iteration.version},
                           follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("#choice")
    assert "continue to step 3 to design and plan it" in html
    plan = url("projects:project_step_plan", project)
    assert f'<a href="{plan}" role="button">{CONTINUE}</a>' in html
    # Shown near the top as well as under the choice, so it is found without scrolling down.
    assert html.index(CONTINUE) < html.index('id="candidates"') < html.rindex(CONTINUE)


def test_an_earlier_iteration_leads_on_to_its_own_step_3(client_for, alice, project, barrier):
    option = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    iteration = project.current_iteration
    matching.option_choose(project=project, user=alice, iteration=iteration, option=option,
                           version=iteration.version, justification="Best")
    html = client_for(alice).get(url("projects:project_step_match", project) + "?iteration=1").content.decode()
    assert CONTINUE in html


# --- the catalogue search --------------------------------------------------------------------------


def test_the_catalogue_search_looks_at_name_description_and_cluster_in_any_case(project):
    def names(query):
        return {item.name for _cluster, items in catalogue(project.strategy_pack, query) for item in items}

    assert "Audit and provide feedback" in names("AUDIT and")
    assert "Conduct local consensus discussions" not in names("audit")
    # A word from a description only ("Conduct local consensus discussions": "...the proposed change...").
    described = eric("Conduct local consensus discussions").description.split()[-1].strip(".").upper()
    assert "Conduct local consensus discussions" in names(described)
    cluster = eric("Audit and provide feedback").category
    assert names(cluster.name.swapcase()) >= {i.name for i in cluster.items.all() if not i.is_retired}
    assert names("") == names(" ") and len(names("")) > 60
    assert names("qqqzzz") == set()


def test_the_catalogue_page_counts_matches_and_explains_an_empty_result(client_for, alice, project, barrier):
    page = url("projects:project_strategy_catalogue", project, barrier.pk)
    client = client_for(alice)
    html = client.get(page + "?q=audit").content.decode()
    assert "Audit and provide feedback" in html and "Conduct local consensus discussions" not in html
    n = len([i for _c, items in catalogue(project.strategy_pack, "audit") for i in items])
    assert f"{n} strategies match “audit”." in html or (n == 1 and "1 strategy matches “audit”." in html)
    assert "<search><form method=\"get\"" in html and 'name="q" value="audit"' in html and "hx-get" in html
    html = client.get(page + "?q=xyz").content.decode()
    assert "No strategy matches “xyz”." in html and f'<a href="{page}">Clear the search</a>' in html
    html = client.get(page).content.decode()
    assert "strategies in the catalogue." in html and "Conduct local consensus discussions" in html
    assert client.get(page + "?q=" + "x" * 5000).status_code == 200


def test_a_barrier_without_evidence_offers_the_catalogue_search_on_the_step_page(client_for, alice, project,
                                                                                  barrier):
    html = client_for(alice).get(url("projects:project_step_match", project)).content.decode()
    action = url("projects:project_strategy_catalogue", project, barrier.pk)
    assert f'<search><form method="get" action="{action}"' in html


# --- Add goes back to where it was -------------------------------------------------------------------


def test_adding_a_strategy_goes_back_to_the_same_search_at_its_button(client_for, alice, project, barrier):
    item = eric("Audit and provide feedback")
    back = url("projects:project_strategy_catalogue", project, barrier.pk) + "?q=audit"
    response = client_for(alice).post(url("projects:project_option_add", project, barrier.pk),
                                      {"item": item.pk, "next_url": back})
    assert response.status_code == 302 and response["Location"] == f"{back}#add-{barrier.pk}-{item.pk}"
    assert StrategyOption.objects.filter(barrier=barrier, item=item).exists()
    html = client_for(alice).get(back).content.decode()
    slot = html[html.index(f'id="add-{barrier.pk}-{item.pk}"'):]
    assert slot.index("Candidate") < slot.index("</span>")


@pytest.mark.parametrize("back", ["https://evil.example/", "/o/other/projects/1/strategies/", ""])
def test_adding_a_strategy_never_goes_back_outside_the_step(client_for, alice, project, barrier, back):
    item = eric("Audit and provide feedback")
    response = client_for(alice).post(url("projects:project_option_add", project, barrier.pk),
                                      {"item": item.pk, "next_url": back})
    assert response["Location"] == url("projects:project_step_match", project) + "#candidates"


def test_with_htmx_adding_a_strategy_swaps_in_place_and_announces(client_for, alice, project, barrier):
    item = eric("Audit and provide feedback")
    page = url("projects:project_step_match", project)
    client = client_for(alice)
    html = client.get(page).content.decode()
    form = html[html.index(f'id="add-{barrier.pk}-{item.pk}"'):]
    form = form[:form.index("</form>")]
    assert f'hx-target="#add-{barrier.pk}-{item.pk}"' in form and 'hx-swap="outerHTML"' in form
    assert 'hx-select-oob="#add-status:innerHTML,#candidates-area"' in form
    assert f'name="next_url" value="{page}"' in form
    response = client.post(url("projects:project_option_add", project, barrier.pk),
                           {"item": item.pk, "next_url": page}, HTTP_HX_REQUEST="true", follow=True)
    html = response.content.decode()
    status = html[html.index('id="add-status"'):]
    status = status[:status.index("</div>")]
    assert "“Audit and provide feedback” is now a candidate." in status and 'aria-live="polite"' in status
    candidates = html[html.index('id="candidates-area"'):]
    assert "Audit and provide feedback" in candidates[:candidates.index("</section>")]
    # Without htmx the live region stays empty: the message is shown at the top of the page instead.
    html = client.get(page).content.decode()
    assert '<div id="add-status" class="visually-hidden" role="status" aria-live="polite"></div>' in html


# --- APEASE wording and table ----------------------------------------------------------------------------


def test_the_side_effects_criterion_says_which_end_is_good(client_for, alice, project, barrier):
    option = matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    criterion = Item.objects.get(pack__slug="apease", code="side-effects")
    assert criterion.name == "Side-effects/safety" and "Rate 5 when there are few or no unwanted effects" in \
        criterion.description
    client = client_for(alice)
    html = client.get(url("projects:project_option_appraise", project, option.pk)).content.decode()
    assert "Side-effects/safety" in html and "Rate 5 when there are few or no unwanted effects" in html
    html = client.get(url("projects:project_step_match", project)).content.decode()
    appraisal = html[html.index('id="appraisal"'):]
    assert "For side-effects/safety, 5 means few or no unwanted effects." in appraisal
    assert '<abbr title="Could this strategy cause unwanted results' in appraisal


def test_the_apease_table_scrolls_inside_a_labelled_region(client_for, alice, project, barrier):
    matching.option_add_custom(project=project, user=alice, barrier=barrier, name="Rooms", description="d")
    html = client_for(alice).get(url("projects:project_step_match", project)).content.decode()
    appraisal = html[html.index('id="appraisal"'):]
    assert ('<div class="table-scroll" role="region" aria-label="APEASE ratings of the candidates" tabindex="0">'
            '<table class="heat">') in appraisal
    assert '<td class="heat-mean">' in appraisal
