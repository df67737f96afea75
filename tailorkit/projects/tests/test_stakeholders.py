"""Step templates (issue 4, points 2 and 7): one click on a project step makes a consultation about
that step, and the stakeholders' answers flow back into the step 1 ranking and the step 2 table."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tailorkit.consultations.models import Consultation, ConsultationTemplate, Question, RespondentGroup
from tailorkit.consultations.services import delivery, responding, results
from tailorkit.consultations.tests.conftest import LINK
from tailorkit.library.tests.factories import tiny_library
from tailorkit.projects import stakeholders
from tailorkit.projects.models import APEASE
from tailorkit.projects.services import goals, matching, planning
from tailorkit.projects.services import projects as project_services

T = ConsultationTemplate


@pytest.fixture
def project(org, alice, bob, dave):
    """A project on two tiny packs with two custom barriers (the real packs are slow to load)."""
    packs = tiny_library(prefix="t")
    project = project_services.project_create(
        organisation=org,
        user=alice,
        name="iCBT in primary care",
        service="Internet CBT",
        team=[alice, bob],
        determinant_pack=packs["determinants"],
        strategy_pack=packs["strategies"],
    )
    goals.barrier_add_custom(
        project=project,
        user=alice,
        name="No time for training",
        category="Resources",
        notes="Clinicians have no protected hours",
    )
    goals.barrier_add_custom(project=project, user=alice, name="<script>alert(1)</script>", category="Other")
    return project


@pytest.fixture
def barriers(project):
    return list(project.barriers.order_by("pk"))


@pytest.fixture
def iteration(project):
    return project.current_iteration


@pytest.fixture
def focused(project, alice, barriers, iteration):
    """Focus on the first barrier, with two candidate strategies; the first one chosen."""
    goal = goals.goal_create(project=project, user=alice, target_group="Adults", end_goal="Everyone is offered iCBT")
    goals.focus_set(
        project=project,
        user=alice,
        iteration=iteration,
        version=iteration.version,
        goals=[goal],
        barriers=[barriers[0]],
    )
    options = [
        matching.option_add_custom(project=project, user=alice, barrier=barriers[0], name=name, description=d)
        for name, d in (("Protected learning time", "Two hours a month"), ("E-learning", "An online course"))
    ]
    iteration.refresh_from_db()
    matching.option_choose(
        project=project,
        user=alice,
        iteration=iteration,
        option=options[0],
        version=iteration.version,
        justification="Best fit",
    )
    iteration.refresh_from_db()
    return options


def make(project, alice, template, iteration=None):
    return stakeholders.consultation_from_step(
        project=project, iteration=iteration or project.current_iteration, template=template, user=alice
    )


def questions(consultation):
    return list(
        Question.objects.filter(questionnaire=consultation.questionnaire).order_by("section__position", "position")
    )


# --- Each template builds the right questionnaire ---------------------------------------------------


def test_barrier_prioritisation_asks_importance_and_changeability_of_every_barrier(project, alice, barriers):
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    assert (consultation.subject_type, consultation.subject_id) == ("project", project.pk)
    assert consultation.template == T.BARRIER_PRIORITISATION
    assert consultation.groups == list(RespondentGroup.values)
    assert consultation.questionnaire.sections.count() == 1
    qs = questions(consultation)
    assert [q.meta for q in qs] == [
        {"subject": f"barrier-{b.pk}", "measure": m} for b in barriers for m in ("importance", "changeability")
    ]
    assert all(q.kind == "likert5" and q.allow_not_relevant for q in qs)
    assert "No time for training" in qs[0].text and qs[0].help_text == "At our site: Clinicians have no protected hours"
    assert consultation.questionnaire.latest_version.questions()[0]["meta"]["measure"] == "importance"


def test_strategy_appraisal_asks_the_six_apease_criteria_for_each_candidate(project, alice, focused):
    consultation = make(project, alice, T.STRATEGY_APPRAISAL)
    assert consultation.questionnaire.sections.count() == len(focused)
    qs = questions(consultation)
    rated = [q for q in qs if q.kind == "likert5"]
    assert [q.meta for q in rated] == [{"subject": f"option-{o.pk}", "criterion": c} for o in focused for c in APEASE]
    comments = [q for q in qs if q.kind == "text"]
    assert len(comments) == len(focused) and not any(q.required for q in comments)
    first = consultation.questionnaire.sections.order_by("position").first()
    assert first.title == "Protected learning time" and "Two hours a month" in first.intro


def test_plan_feedback_summarises_the_plan_and_asks_if_it_is_clear_and_feasible(project, alice, focused, iteration):
    planning.spec_save(
        iteration=iteration, user=alice, version=None,
        data={"who_provides": "The iCBT lead", "when_how_much": "Two hours a month"},
    )
    consultation = make(project, alice, T.PLAN_FEEDBACK)
    description = consultation.questionnaire.description
    assert "Protected learning time" in description and "The iCBT lead" in description
    assert [(q.key, q.kind) for q in questions(consultation)] == [
        ("plan_clear", "likert5"),
        ("plan_feasible", "likert5"),
        ("plan_change", "text"),
    ]


def test_impact_review_asks_about_each_success_criterion_and_overall(project, alice, focused, iteration):
    criteria = [
        planning.criterion_create(iteration=iteration, user=alice, description=d, target_value=v, target_unit=u)
        for d, v, u in (("More referrals", 80, "%"), ("Shorter waits", None, ""))
    ]
    consultation = make(project, alice, T.IMPACT_REVIEW)
    qs = questions(consultation)
    verdicts = [q for q in qs if q.kind == "single"]
    assert [q.meta["subject"] for q in verdicts] == [f"criterion-{c.pk}" for c in criteria]
    assert [o["value"] for o in verdicts[0].options] == ["met", "not_met", "unclear"]
    assert "80 %" in verdicts[0].help_text
    assert len([q for q in qs if q.kind == "text"]) == 2
    assert qs[-1].key == "overall_improved" and qs[-1].kind == "likert5"


def test_a_step_with_nothing_to_ask_about_says_so_and_stores_nothing(project, alice, iteration):
    project.barriers.all().delete()
    for template in (T.BARRIER_PRIORITISATION, T.STRATEGY_APPRAISAL, T.PLAN_FEEDBACK):
        with pytest.raises(ValidationError):
            make(project, alice, template)
    assert not Consultation.objects.exists()


def test_a_double_click_makes_one_consultation(project, alice):
    first, second = make(project, alice, T.BARRIER_PRIORITISATION), make(project, alice, T.BARRIER_PRIORITISATION)
    assert first == second and Consultation.objects.count() == 1


# --- The buttons on the step pages ------------------------------------------------------------------


def ask_url(project, template):
    return reverse("projects:project_consultation_create", args=[project.organisation.slug, project.pk, template])


@pytest.mark.parametrize(
    "page",
    [
        "projects:project_step_goals",
        "projects:project_step_match",
        "projects:project_step_plan",
        "projects:project_step_review",
    ],
)
def test_every_step_page_offers_ask_stakeholders_to_editors_only(client_for, project, alice, dave, page):
    url = reverse(page, args=[project.organisation.slug, project.pk])
    html = client_for(alice).get(url).content.decode()
    assert "Ask stakeholders</button>" in html
    html = client_for(dave).get(url).content.decode()
    assert "Ask stakeholders</h2>" in html and "Ask stakeholders</button>" not in html


def test_one_click_creates_the_consultation_and_opens_its_invitation_page(client_for, project, alice):
    response = client_for(alice).post(ask_url(project, T.BARRIER_PRIORITISATION))
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "consultations:consultation_invite", args=[project.organisation.slug, consultation.uuid]
    )
    page = client_for(alice).get(reverse("projects:project_step_goals", args=[project.organisation.slug, project.pk]))
    assert consultation.title in page.content.decode()
    assert (
        reverse("consultations:consultation_results", args=[project.organisation.slug, consultation.uuid])
        in page.content.decode()
    )


def test_one_click_on_an_empty_step_explains_why_on_the_step_page(client_for, project, alice):
    response = client_for(alice).post(ask_url(project, T.STRATEGY_APPRAISAL), follow=True)
    assert "no candidate strategies" in response.content.decode()
    assert not Consultation.objects.exists()


def test_one_click_needs_post(client_for, project, alice):
    assert client_for(alice).get(ask_url(project, T.BARRIER_PRIORITISATION)).status_code == 405


def test_one_click_is_forbidden_to_a_viewer(client_for, project, dave):
    assert client_for(dave).post(ask_url(project, T.BARRIER_PRIORITISATION)).status_code == 403
    assert not Consultation.objects.exists()


def test_one_click_is_a_404_for_an_outsider(client_for, project, mallory):
    assert client_for(mallory).post(ask_url(project, T.BARRIER_PRIORITISATION)).status_code == 404
    url = f"/o/{project.organisation.slug}/consultations/projects/{project.pk}/ask/nonsense/"
    assert client_for(mallory).post(url).status_code == 404
    assert not Consultation.objects.exists()


def test_an_unknown_template_is_a_404(client_for, project, alice):
    url = f"/o/{project.organisation.slug}/consultations/projects/{project.pk}/ask/nonsense/"
    assert client_for(alice).post(url).status_code == 404


# --- Results flow back ---------------------------------------------------------------------------------


def answer(consultation, alice, answers_list):
    """Submit one response per answers dict through the respondent services (invitation mode)."""
    text = "\n".join(f"person{i}@example.org" for i in range(len(answers_list)))
    delivery.invitations_send(consultation=consultation, actor=alice, text=text)
    for invitation, answers in zip(consultation.invitations.order_by("pk"), answers_list, strict=True):
        draft = responding.draft_get_or_create(consultation=consultation, invitation=invitation)
        responding.draft_save(
            draft=draft, answers={k: {"value": v, "not_relevant": v is None} for k, v in answers.items()}
        )
        responding.response_submit(
            draft=draft, submission_key=draft.submission_key, version_number=draft.version.number
        )


def barrier_answers(barriers, importance, changeability):
    return {
        **{f"barrier-{b.pk}__importance": importance for b in barriers},
        **{f"barrier-{b.pk}__changeability": changeability for b in barriers},
    }


def goals_page(client, project):
    return client.get(
        reverse("projects:project_step_goals", args=[project.organisation.slug, project.pk])
    ).content.decode()


def test_five_stakeholders_ratings_appear_beside_the_teams_and_combined(client_for, project, alice, barriers):
    goals.ratings_save(project=project, user=alice, ratings={barriers[0].pk: (2, 2), barriers[1].pk: (3, 3)})
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    answer(consultation, alice, [barrier_answers(barriers, 4, 5)] * 5)
    html = goals_page(client_for(alice), project)
    assert "Stakeholders (importance / changeability, n)" in html
    assert "4.0 / 5.0 (5)" in html
    # Combined: team and stakeholders count half each: (2+4)/2 × (2+5)/2 = 3 × 3.5.
    assert "10.5" in html
    assert "withheld" not in html
    assert "<script>alert(1)</script>" not in html
    assert f"Stakeholder ratings from the consultation “{consultation.title}” (5 responses)" in html


def test_with_four_stakeholders_their_ratings_are_withheld(client_for, project, alice, barriers):
    goals.ratings_save(project=project, user=alice, ratings={barriers[0].pk: (2, 2)})
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    answer(consultation, alice, [barrier_answers(barriers, 4, 5)] * 4)
    html = goals_page(client_for(alice), project)
    assert "withheld – fewer than 5 answers" in html
    assert "4.0 / 5.0" not in html
    # The combined score falls back to the team's own (2 × 2) while the stakeholders' is withheld,
    # and the page says so next to it and above the table.
    assert "<td>4.0<br><small class=\"muted\">team's own: stakeholders' ratings withheld</small></td>" in html
    assert "all stakeholder ratings are withheld to protect anonymity" in html


def test_a_lower_threshold_shows_fewer_answers(client_for, project, alice, barriers):
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    delivery.consultation_update(consultation=consultation, actor=alice, version=consultation.version, min_group_size=3)
    answer(consultation, alice, [barrier_answers(barriers, 4, 5)] * 3)
    assert "4.0 / 5.0 (3)" in goals_page(client_for(alice), project)


def test_the_latest_answered_consultation_is_the_one_shown(client_for, project, alice, barriers):
    older = make(project, alice, T.BARRIER_PRIORITISATION)
    answer(older, alice, [barrier_answers(barriers, 4, 5)] * 5)
    Consultation.objects.filter(pk=older.pk).update(created_at=older.created_at.replace(year=2020))
    make(project, alice, T.BARRIER_PRIORITISATION)  # newer, but nobody has answered yet
    assert "4.0 / 5.0 (5)" in goals_page(client_for(alice), project)


def test_not_relevant_answers_stay_out_of_the_means(project, alice, barriers):
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    rows = [barrier_answers(barriers, 4, 4)] * 5 + [barrier_answers(barriers, None, None)]
    answer(consultation, alice, rows)
    figures = stakeholders.stakeholder_barrier_figures(project)
    assert figures["values"][barriers[0].pk] == (4.0, 4.0, 5)
    assert results.stakeholder_barrier_ratings(consultation)[f"barrier-{barriers[0].pk}"] == (4.0, 4.0, 5)


def apease_answers(options, rating):
    return {f"option-{o.pk}__{c}": rating for o in options for c in APEASE}


def test_stakeholder_apease_means_appear_in_the_step_2_table(client_for, project, alice, focused):
    consultation = make(project, alice, T.STRATEGY_APPRAISAL)
    answer(consultation, alice, [apease_answers(focused, 4)] * 3 + [apease_answers(focused, 5)] * 2)
    html = client_for(alice).get(reverse("projects:project_step_match", args=[project.organisation.slug, project.pk]))
    html = html.content.decode()
    assert "stakeholders 4.4" in html
    assert "withheld" not in html


def test_stakeholder_apease_means_are_withheld_below_the_threshold(client_for, project, alice, focused):
    consultation = make(project, alice, T.STRATEGY_APPRAISAL)
    answer(consultation, alice, [apease_answers(focused, 4)] * 2)
    html = client_for(alice).get(reverse("projects:project_step_match", args=[project.organisation.slug, project.pk]))
    html = html.content.decode()
    assert "withheld – fewer than 5 answers" in html and "stakeholders 4.0" not in html
    assert "all stakeholder means are withheld to protect anonymity" in html


def test_the_panel_lists_the_steps_consultations_with_their_responses(client_for, project, alice, barriers):
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    answer(consultation, alice, [barrier_answers(barriers, 3, 3)] * 2)
    html = goals_page(client_for(alice), project)
    panel = html.split('id="stakeholders"')[1]
    assert consultation.title in panel and "<td>Open</td><td>2</td>" in panel


def test_the_step_pages_query_count_does_not_grow_with_consultations(
    client_for, project, alice, barriers, django_assert_max_num_queries
):
    client = client_for(alice)
    first = make(project, alice, T.BARRIER_PRIORITISATION)
    answer(first, alice, [barrier_answers(barriers, 3, 3)] * 2)
    with django_assert_max_num_queries(60) as small:
        goals_page(client, project)
    for _n in range(4):
        Consultation.objects.filter(template=T.BARRIER_PRIORITISATION).update(created_by=None)  # no double-click
        answer(make(project, alice, T.BARRIER_PRIORITISATION), alice, [barrier_answers(barriers, 3, 3)])
    with django_assert_max_num_queries(len(small.captured_queries)):
        goals_page(client, project)


def test_a_barrier_nobody_rated_is_unrated_not_withheld(project, alice, barriers):
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    answer(consultation, alice, [barrier_answers(barriers[:1], 4, 4)] * 2)
    figures = stakeholders.stakeholder_barrier_figures(project)
    assert figures["withheld"] == {barriers[0].pk}
    assert figures["values"][barriers[1].pk] == (None, None, 0)


# --- The first hour of a new team (issue 10) ---------------------------------------------------------


def test_barrier_questions_answers_and_introduction_use_the_same_words(project, alice):
    library_barrier = goals.barrier_add_from_pack(project=project, user=alice, item=tiny_library(prefix="t")["barrier"])
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    qs = {q.key: q for q in questions(consultation)}
    importance = qs[f"barrier-{library_barrier.pk}__importance"]
    changeability = qs[f"barrier-{library_barrier.pk}__changeability"]
    assert importance.text == "How much does “Lack of training” get in the way?"
    assert [o["label"] for o in importance.options] == ["Not at all", "A little", "Somewhat", "A lot", "Very much"]
    assert changeability.text == "How easy would it be to change “Lack of training”?"
    assert [o["label"] for o in changeability.options][0::4] == ["Cannot be changed", "Easy to change"]
    # What the barrier means, from the library, under its name (not only its category).
    assert importance.help_text == "Staff were never shown how the service works."
    intro = consultation.questionnaire.sections.get().intro
    assert "gets in the way" in intro and "easy it would be to change" in intro
    assert not re.search(r"\d", intro), "the introduction must not speak of numbers the respondent never sees"


def test_strategy_statements_are_answered_on_the_agreement_scale_they_are_worded_for(project, alice, focused):
    consultation = make(project, alice, T.STRATEGY_APPRAISAL)
    rated = [q for q in questions(consultation) if q.kind == "likert5"]
    # No own labels: the agreement scale ("Strongly disagree" … "Strongly agree") fits statements.
    assert all(q.options == [] and q.text.endswith(".") and not q.text.endswith("?") for q in rated)
    for section in consultation.questionnaire.sections.all():
        assert "agree" in section.intro and not re.search(r"\d", section.intro)


def test_the_respondent_sees_a_barriers_description_under_its_name(client, project, alice,
                                                                  django_capture_on_commit_callbacks):
    goals.barrier_add_from_pack(project=project, user=alice, item=tiny_library(prefix="t")["barrier"])
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.invitations_send(consultation=consultation, actor=alice, text="sam@example.org")
    token = LINK.search(mail.outbox[-1].body).group(1)
    page = client.get(f"/c/i/{token}/", follow=True).content.decode()
    legend = page.index("How much does “Lack of training” get in the way?")
    assert page.index("Staff were never shown how the service works.") > legend
    assert "&lt;script&gt;" in page and "<script>alert" not in page


@pytest.mark.parametrize("page, reason", [
    ("projects:project_step_goals", "no barriers yet"),
    ("projects:project_step_match", "no candidate strategies"),
    ("projects:project_step_plan", "no plan to show yet"),
])
def test_ask_stakeholders_is_off_and_says_why_when_there_is_nothing_to_ask(client_for, project, alice, page, reason):
    project.barriers.all().delete()
    html = client_for(alice).get(reverse(page, args=[project.organisation.slug, project.pk])).content.decode()
    panel = html.split('id="stakeholders"')[1]
    assert '<button type="submit" disabled aria-describedby="ask-reason">Ask stakeholders</button>' in panel
    assert reason in panel.split('id="ask-reason"')[1].split("</p>")[0]


def test_ask_stakeholders_is_on_once_there_is_something_to_ask(client_for, project, alice, focused):
    client = client_for(alice)
    for page in ("projects:project_step_goals", "projects:project_step_match", "projects:project_step_plan",
                 "projects:project_step_review"):
        html = client.get(reverse(page, args=[project.organisation.slug, project.pk])).content.decode()
        assert "disabled" not in html.split('id="stakeholders"')[1] and "Ask stakeholders</button>" in html


def test_a_consultation_made_from_a_step_links_back_to_that_step(client_for, project, alice, dave):
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    slug = project.organisation.slug
    step_url = reverse("projects:project_step_goals", args=[slug, project.pk]) + "#stakeholders"
    for user in (alice, dave):
        for name in ("consultation_detail", "consultation_results"):
            html = client_for(user).get(reverse(f"consultations:{name}", args=[slug, consultation.uuid])).content
            assert f'<a href="{step_url}">iCBT in primary care – 1 · Identify goals and barriers</a>' in html.decode()
    invite_page = client_for(alice).get(reverse("consultations:consultation_invite", args=[slug, consultation.uuid]))
    assert step_url in invite_page.content.decode()


def test_no_link_back_when_the_project_is_gone_or_of_another_organisation(client_for, project, alice, mallory):
    consultation = make(project, alice, T.BARRIER_PRIORITISATION)
    other = project_services.project_create(
        organisation=mallory.memberships.get().organisation, user=mallory, name="Mallory's secret project",
        service="x", team=[mallory], determinant_pack=project.determinant_pack, strategy_pack=project.strategy_pack)
    Consultation.objects.filter(pk=consultation.pk).update(subject_id=other.pk)
    url = reverse("consultations:consultation_detail", args=[project.organisation.slug, consultation.uuid])
    html = client_for(alice).get(url).content.decode()
    assert "Made for" not in html and "Mallory" not in html
    Consultation.objects.filter(pk=consultation.pk).update(subject_id=10**9)
    assert "Made for" not in client_for(alice).get(url).content.decode()


def test_the_invite_page_warns_when_fewer_people_are_invited_than_the_minimum(client_for, project, alice):
    client = client_for(alice)
    client.post(ask_url(project, T.BARRIER_PRIORITISATION))
    consultation = Consultation.objects.get()
    slug = project.organisation.slug
    page = client.get(reverse("consultations:consultation_invite", args=[slug, consultation.uuid])).content.decode()
    assert "Invite at least 5 people" in page and "Paste at least 5 addresses below." in page
    assert "the answers do not reach “iCBT in primary care – 1 · Identify goals and barriers”" in page
    addresses = "\n".join(f"p{i}@example.org" for i in range(4))
    client.post(reverse("consultations:consultation_invite", args=[slug, consultation.uuid]),
                {"addresses": addresses})
    detail = client.get(reverse("consultations:consultation_detail", args=[slug, consultation.uuid])).content.decode()
    assert "Only 4 people are invited, but results are shown only where at least 5 people answered." in detail
    assert "the answers cannot be downloaded" in detail and "Invite at least 1 more person." in detail
    client.post(reverse("consultations:consultation_invite", args=[slug, consultation.uuid]),
                {"addresses": "p4@example.org"})
    detail = client.get(reverse("consultations:consultation_detail", args=[slug, consultation.uuid])).content.decode()
    assert "people are invited" not in detail and "at least 5 people answered, to protect anonymity" in detail
