import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tailorkit.library.models import Item
from tailorkit.projects.models import BarrierRating, Focus, Step
from tailorkit.projects.selectors.goals import ranked_barriers
from tailorkit.projects.services import goals


def url(name, project, *args):
    return reverse(name, args=[project.organisation.slug, project.pk, *args])


@pytest.fixture
def barriers(project, alice):
    items = Item.objects.filter(pack=project.determinant_pack).order_by("order")[:3]
    return [goals.barrier_add_from_pack(project=project, user=alice, item=item) for item in items]


@pytest.fixture
def goal(project, alice):
    return goals.goal_create(project=project, user=alice, target_group="Adults", end_goal="More patients start iCBT")


def test_each_member_rates_all_barriers_in_one_post(client_for, alice, bob, project, barriers):
    a, b, c = barriers
    client_for(alice).post(url("projects:project_ratings_save", project), {
        f"importance-{a.pk}": "5", f"changeability-{a.pk}": "4",
        f"importance-{b.pk}": "2", f"changeability-{b.pk}": "2",
        f"importance-{c.pk}": "", f"changeability-{c.pk}": ""})
    client_for(bob).post(url("projects:project_ratings_save", project), {
        f"importance-{a.pk}": "3", f"changeability-{a.pk}": "4"})
    assert BarrierRating.objects.count() == 3
    rows = ranked_barriers(project)
    assert [r.barrier for r in rows] == [a, b, c]
    assert rows[0].n == 2 and rows[0].mean_importance == 4 and rows[0].mean_changeability == 4
    assert rows[0].rank == 1 and rows[2].rank is None and rows[2].score is None


@pytest.mark.parametrize("bad", ["0", "6", "abc"])
def test_a_rating_outside_1_to_5_is_reported_at_its_row_and_nothing_is_saved(client_for, alice, project, barriers,
                                                                              bad):
    a, b, _c = barriers
    response = client_for(alice).post(url("projects:project_ratings_save", project), {
        f"importance-{a.pk}": "4", f"changeability-{a.pk}": "4",
        f"importance-{b.pk}": bad, f"changeability-{b.pk}": "3"})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="rate-{b.pk}-error"' in html and f'id="rate-{a.pk}-error"' not in html
    assert "from 1 to 5" in html
    assert not BarrierRating.objects.exists()
    # The user's values stay in the form.
    assert '<option value="4" selected>4</option>' in html


def test_half_a_rating_is_refused(alice, project, barriers):
    with pytest.raises(ValidationError) as exc:
        goals.ratings_save(project=project, user=alice, ratings={barriers[0].pk: ("3", "")})
    assert "rate both or neither" in str(exc.value)


def test_a_rating_can_be_changed_and_keeps_history(alice, project, barriers):
    a = barriers[0]
    goals.ratings_save(project=project, user=alice, ratings={a.pk: (2, 2)})
    goals.ratings_save(project=project, user=alice, ratings={a.pk: (5, 1)})
    rating = BarrierRating.objects.get()
    assert (rating.importance, rating.changeability, rating.version) == (5, 1, 2)
    assert rating.history.count() == 2


def test_ranked_barriers_shows_stakeholder_and_combined_columns_when_given(client_for, alice, project, barriers):
    a, b, c = barriers
    goals.ratings_save(project=project, user=alice, ratings={a.pk: (4, 4), b.pk: (3, 3)})
    rows = ranked_barriers(project, stakeholder={b.pk: (5.0, 5.0, 12), c.pk: (2.0, 2.0, 3)})
    by_id = {r.barrier.pk: r for r in rows}
    assert by_id[b.pk].combined_importance == 4.0 and by_id[b.pk].combined_score == 16.0
    assert by_id[a.pk].combined_score == 16.0 and by_id[a.pk].stakeholder is None
    assert by_id[c.pk].combined_score == 4.0          # stakeholders only
    # Combined ranks b level with a (16 each); importance ties too, so by name.
    assert [r.rank for r in rows] == [1, 2, 3]
    assert rows[-1].barrier == c


def test_the_page_shows_the_matrix_and_the_ranked_table(client_for, alice, bob, project, barriers, goal):
    a, b, _c = barriers
    goals.ratings_save(project=project, user=alice, ratings={a.pk: (2, 2), b.pk: (5, 4)})
    goals.ratings_save(project=project, user=bob, ratings={b.pk: (4, 4)})
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    assert "data:image/svg+xml;base64," in html and "Prioritisation matrix" in html
    ranked = html[html.index('class="ranked"'):]
    assert ranked.index(b.name) < ranked.index(a.name)
    assert "4.5" in ranked and "not rated yet" in ranked


def test_a_script_in_a_barrier_name_is_never_rendered_as_markup(client_for, alice, project, goal):
    barrier = goals.barrier_add_custom(project=project, user=alice, name="<script>alert(1)</script>",
                                       category="Resources")
    goals.ratings_save(project=project, user=alice, ratings={barrier.pk: (4, 4)})
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_default_focus_is_one_goal_and_the_top_barrier(client_for, alice, project, barriers, goal):
    a, b, _c = barriers
    goals.ratings_save(project=project, user=alice, ratings={a.pk: (2, 2), b.pk: (5, 5)})
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    focus = html[html.index('id="focus"'):]
    assert f'value="{b.pk}"' in focus and "Be focused" in focus
    checked = [chunk for chunk in focus.split("<input") if "checked" in chunk.split(">")[0]]
    assert len(checked) == 2


def test_setting_one_goal_and_one_barrier_moves_the_project_to_step_2(client_for, alice, project, barriers, goal):
    iteration = project.current_iteration
    response = client_for(alice).post(url("projects:project_focus_set", project), {
        "goals": [goal.pk], "barriers": [barriers[0].pk], "version": iteration.version})
    assert response["Location"] == url("projects:project_step_match", project)
    project.refresh_from_db()
    assert project.step == Step.MATCH
    assert set(Focus.objects.values_list("goal_id", "barrier_id")) == {(goal.pk, None), (None, barriers[0].pk)}


def test_more_than_one_barrier_needs_a_reason_and_shows_the_principle(client_for, alice, project, barriers, goal):
    iteration = project.current_iteration
    data = {"goals": [goal.pk], "barriers": [barriers[0].pk, barriers[1].pk], "version": iteration.version}
    response = client_for(alice).post(url("projects:project_focus_set", project), data)
    html = response.content.decode()
    assert response.status_code == 400 and "If you still want more, say why" in html and "Be focused" in html
    assert "principle-alert" in html
    assert not Focus.objects.exists()
    client_for(alice).post(url("projects:project_focus_set", project), {**data, "reason": "They share one cause"})
    iteration.refresh_from_db()
    assert iteration.focus_reason == "They share one cause" and Focus.objects.count() == 3


def test_the_focus_needs_a_goal_and_a_barrier(client_for, alice, project, barriers, goal):
    response = client_for(alice).post(url("projects:project_focus_set", project), {"version": 1})
    html = response.content.decode()
    assert "Choose the goal you will work on" in html and "Choose the barrier you will tackle" in html


def test_a_stale_focus_is_refused(client_for, alice, bob, project, barriers, goal):
    client_for(bob).post(url("projects:project_focus_set", project), {"goals": [goal.pk], "barriers": [barriers[1].pk],
                                                              "version": 1})
    response = client_for(alice).post(url("projects:project_focus_set", project), {
        "goals": [goal.pk], "barriers": [barriers[0].pk], "version": 1})
    assert response.status_code == 409 and "Someone else changed the focus" in response.content.decode()
    assert list(Focus.objects.filter(barrier__isnull=False).values_list("barrier_id", flat=True)) == [barriers[1].pk]


def test_focus_on_a_barrier_of_another_project_is_refused(alice, org, project, barriers, goal):
    from tailorkit.library.models import ContentPack
    from tailorkit.projects.services import projects

    other = projects.project_create(organisation=org, user=alice, name="Other", service="S",
                                    determinant_pack=ContentPack.objects.get(slug="icbt-determinants"),
                                    strategy_pack=ContentPack.objects.get(slug="eric"))
    with pytest.raises(ValidationError):
        goals.focus_set(project=other, user=alice, iteration=other.current_iteration, version=1, goals=[goal],
                        barriers=[barriers[0]])


def test_focus_and_ratings_are_post_only(client_for, alice, project):
    assert client_for(alice).get(url("projects:project_focus_set", project)).status_code == 405
    assert client_for(alice).get(url("projects:project_ratings_save", project)).status_code == 405


# --- the focus form ticks nothing without a reason (issue 10) -------------------------------------


def checked_in_focus(html):
    focus = html[html.index('id="focus"'):]
    return [chunk.split('value="')[1].split('"')[0] for chunk in focus.split("<input")[1:]
            if "checked" in chunk.split(">")[0] and 'type="checkbox"' in chunk.split(">")[0]]


def test_before_any_rating_the_focus_form_ticks_no_barrier(client_for, alice, project, barriers, goal):
    goals.goal_create(project=project, user=alice, target_group="Staff", end_goal="Therapists refer more")
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    assert checked_in_focus(html) == []  # two goals and nothing rated: no reason to tick anything
    assert "suggested: highest priority" not in html
    assert "rate the barriers above and the one with the highest priority is suggested here" in html


def test_with_ratings_the_top_barrier_is_ticked_and_said_to_be_suggested(client_for, alice, project, barriers, goal):
    a, b, c = barriers
    goals.ratings_save(project=project, user=alice, ratings={a.pk: (2, 2), c.pk: (5, 4)})
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    assert checked_in_focus(html) == [str(goal.pk), str(c.pk)]  # the only goal, and the top-ranked barrier
    focus = html[html.index('id="focus"'):]
    label = focus[focus.index(f'value="{c.pk}"'):]
    assert label.index("suggested: highest priority") < label.index("</label>")
    assert html.count("suggested: highest priority") == 1


def test_a_saved_focus_is_ticked_as_saved(client_for, alice, project, barriers, goal):
    a, b, _c = barriers
    goals.ratings_save(project=project, user=alice, ratings={b.pk: (5, 5)})
    iteration = project.current_iteration
    goals.focus_set(project=project, user=alice, iteration=iteration, version=iteration.version, goals=[goal],
                    barriers=[a])
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    assert checked_in_focus(html) == [str(goal.pk), str(a.pk)]


# --- the prioritisation matrix is legible when points crowd (issue 10) -----------------------------


def matrix_svg(rows):
    import base64

    from tailorkit.projects import charts

    return base64.b64decode(charts.prioritisation_matrix(rows).split(",", 1)[1]).decode()


def test_crowded_barriers_get_short_numbered_labels_that_do_not_overlap_in_readable_text(alice, project):
    import re

    from tailorkit.projects.charts import text_box

    items = Item.objects.filter(pack=project.determinant_pack).order_by("order")[:12]
    made = [goals.barrier_add_from_pack(project=project, user=alice, item=item) for item in items]
    # Twelve barriers at four nearby places: several share a place, the others are a tenth apart.
    goals.ratings_save(project=project, user=alice,
                       ratings={b.pk: (4 + (i % 2), 4 + (i % 4 > 1)) for i, b in enumerate(made)})
    rows = ranked_barriers(project)
    svg = matrix_svg(rows)
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', svg)]
    assert sizes and min(sizes) >= 12
    labels = re.findall(r'<text[^>]*aria-roledescription="text mark"[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"'
                        r'[^>]*font-weight="bold"[^>]*>'
                        r'([^<]*)</text>', svg)
    # One label per place, made of rank numbers only; together they name every ranked barrier once.
    assert len(labels) == 4
    numbers = sorted(int(n) for _x, _y, text in labels for n in text.split(", "))
    assert numbers == list(range(1, 13))
    assert all(name.barrier.name not in svg for name in rows)
    boxes = [text_box(text, float(x), float(y)) for x, y, text in labels]
    for i, one in enumerate(boxes):
        for other in boxes[i + 1:]:
            assert one[2] <= other[0] or other[2] <= one[0] or one[3] <= other[1] or other[3] <= one[1], \
                (one, other)


def test_spread_barriers_are_labelled_next_to_their_point_without_overlap(alice, project):
    import re

    from tailorkit.projects.charts import text_box

    items = Item.objects.filter(pack=project.determinant_pack).order_by("order")[:12]
    made = [goals.barrier_add_from_pack(project=project, user=alice, item=item) for item in items]
    goals.ratings_save(project=project, user=alice, ratings={made[0].pk: (4, 4)})
    goals.ratings_save(project=project, user=alice, ratings={made[1].pk: (4, 4)})
    for i, b in enumerate(made[2:]):
        goals.ratings_save(project=project, user=alice, ratings={b.pk: (3 + i % 3, 3 + i % 2)})
    rows = ranked_barriers(project)
    svg = matrix_svg(rows)
    labels = re.findall(r'<text[^>]*aria-roledescription="text mark"[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"'
                        r'[^>]*font-weight="bold"[^>]*>'
                        r'([^<]*)</text>', svg)
    assert len(labels) == 6  # six places: one label each
    assert all(re.fullmatch(r"\d+(, \d+)*", text) for _x, _y, text in labels)
    boxes = [text_box(text, float(x), float(y)) for x, y, text in labels]
    for i, one in enumerate(boxes):
        for other in boxes[i + 1:]:
            assert one[2] <= other[0] or other[2] <= one[0] or one[3] <= other[1] or other[3] <= one[1]


def test_the_page_says_the_numbers_are_the_ranks_in_the_table(client_for, alice, project, barriers, goal):
    goals.ratings_save(project=project, user=alice, ratings={barriers[0].pk: (4, 4)})
    html = client_for(alice).get(url("projects:project_step_goals", project)).content.decode()
    assert "numbered with its rank in the table below, which names the barriers" in html
    ranked = html[html.index('class="ranked"'):]
    assert f'<tr><td>1</td><th scope="row">{barriers[0].name}</th>' in ranked
