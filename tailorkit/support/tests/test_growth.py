"""A practitioner's competencies and reflection (issue 14, point 5): self-assessments over time
and the change between them, plans for two or three competencies, reflective notes, sharing with a
peer who may comment; private by default."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tailorkit.support import selectors, services
from tailorkit.support.models import AssessmentComment, DevelopmentPlan, Reflection, SelfAssessment

from .factories import levels, tiny_guide


@pytest.fixture
def guide(db):
    return tiny_guide()


def _post_assessment(client, guide, day, level_of):
    data = {"taken_on": day.isoformat(), "note": ""}
    for c in guide["competencies"]:
        if level_of(c) is not None:
            data[f"level_{c.pk}"] = str(level_of(c))
    return client.post(reverse("support:assessment_new"), data)


def test_an_empty_page_says_what_to_do(client, alice, guide):
    client.force_login(alice)
    page = client.get(reverse("support:growth")).content.decode()
    assert "You have not assessed yourself yet" in page
    assert reverse("support:assessment_new") in page


def test_every_competency_needs_a_level_and_the_gap_is_named_at_its_row(client, alice, guide):
    client.force_login(alice)
    missing = guide["competencies"][2]
    page = _post_assessment(client, guide, date(2026, 3, 1), lambda c: None if c == missing else 3)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="id_level_{missing.pk}_error"' in html and "Choose a level for this competency." in html
    assert html.count("Choose a level for this competency.") == 1
    # What was chosen stays chosen.
    kept = re.search(rf'<input[^>]*name="level_{guide["competencies"][0].pk}" value="3"[^>]*>', html).group(0)
    assert "checked" in kept
    assert "checked" not in re.search(rf'<input[^>]*name="level_{missing.pk}" value="3"[^>]*>', html).group(0)
    assert not SelfAssessment.objects.exists()


def test_a_date_in_the_future_is_refused(alice, guide):
    with pytest.raises(ValidationError) as exc:
        services.assessment_create(user=alice, taken_on=timezone.localdate() + timedelta(days=1),
                                   levels=levels(guide))
    assert "taken_on" in exc.value.message_dict


def test_a_level_outside_the_scale_is_refused(alice, guide):
    bad = {**levels(guide), guide["competencies"][0].pk: 9}
    with pytest.raises(ValidationError):
        services.assessment_create(user=alice, taken_on=date(2026, 1, 1), levels=bad)


def test_assessing_twice_shows_what_changed(client, alice, guide):
    client.force_login(alice)
    first, rising = guide["competencies"][0], guide["competencies"][1]
    assert _post_assessment(client, guide, date(2026, 1, 10), lambda c: 2).status_code == 302
    # The form shows last time's level next to each competency.
    form = client.get(reverse("support:assessment_new")).content.decode()
    assert "Last time: Beginning" in form
    assert _post_assessment(client, guide, date(2026, 6, 10), lambda c: 4 if c == rising else 2).status_code == 302
    data = selectors.growth(alice)
    by_name = {ch.competency.name: ch.delta for ch in data["changes"]}
    assert by_name[rising.name] == 2 and by_name[first.name] == 0
    page = client.get(reverse("support:growth")).content.decode()
    assert "What changed from" in page
    assert 'aria-label="from 2 to 4"' in page and '<span class="change-up">+2</span>' in page


def test_an_assessment_is_private_until_shared_and_the_peer_may_comment(client, alice, bob, carol, mallory, guide):
    assessment = services.assessment_create(user=alice, taken_on=date(2026, 2, 1), levels=levels(guide))
    url = reverse("support:assessment_detail", args=[assessment.pk])
    for outsider in (bob, mallory):
        client.force_login(outsider)
        assert client.get(url).status_code == 404

    # Only people in an organisation with alice can be chosen.
    with pytest.raises(ValidationError):
        services.assessment_share(assessment=assessment, user=alice, with_user=mallory)
    client.force_login(alice)
    detail = client.get(url).content.decode()
    assert bob.email in detail and mallory.email not in detail
    client.post(reverse("support:assessment_share", args=[assessment.pk]), {"shared_with": bob.pk})

    client.force_login(bob)
    assert client.get(url).status_code == 200
    assert "Shared with you by" in client.get(url).content.decode()
    shared = client.get(reverse("support:growth")).content.decode()
    assert f'href="{url}">{alice.name}, ' in shared
    client.post(url, {"text": "Brokering looks stronger than you think."})
    assert AssessmentComment.objects.get().author == bob
    # bob can read and comment but not share, stop sharing or delete.
    assert client.post(reverse("support:assessment_delete", args=[assessment.pk])).status_code == 404
    assert client.post(reverse("support:assessment_share", args=[assessment.pk]), {"shared_with": carol.pk}
                       ).status_code == 404
    # carol, not shared with, sees nothing.
    client.force_login(carol)
    assert client.get(url).status_code == 404

    # alice stops sharing: bob's next visit is a 404, his comment stays.
    client.force_login(alice)
    share = assessment.shares.get()
    remove = reverse("support:assessment_unshare", args=[assessment.pk, share.pk])
    assert "Stop sharing with" in client.get(remove).content.decode()
    client.post(remove)
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert AssessmentComment.objects.count() == 1


def test_deleting_asks_first(client, alice, guide):
    assessment = services.assessment_create(user=alice, taken_on=date(2026, 2, 1), levels=levels(guide))
    client.force_login(alice)
    url = reverse("support:assessment_delete", args=[assessment.pk])
    assert "Yes, delete" in client.get(url).content.decode()
    assert SelfAssessment.objects.exists()
    assert client.post(url).status_code == 302
    assert not SelfAssessment.objects.exists()


def test_at_most_three_competencies_are_developed_at_once(client, alice, guide):
    comps = guide["competencies"]
    for c in comps[:3]:
        services.development_plan_create(user=alice, competency=c, plan="Practise it")
    client.force_login(alice)
    page = client.post(reverse("support:plan_new"), {"competency": comps[3].pk, "plan": "More", "status": "active"})
    assert page.status_code == 200 and "You are already working on 3 competencies" in page.content.decode()
    # Done plans do not count; a finished one frees a place.
    plan = DevelopmentPlan.objects.filter(owner=alice).first()
    services.development_plan_update(development_plan=plan, user=alice, version=plan.version,
                                     competency=plan.competency, plan=plan.plan, review_on=None, status="done")
    assert client.post(reverse("support:plan_new"), {"competency": comps[3].pk, "plan": "More",
                                                     "status": "active"}).status_code == 302


def test_a_plan_must_name_a_competency_of_the_guide(alice, guide):
    other = guide["questions"][0]
    with pytest.raises(ValidationError) as exc:
        services.development_plan_create(user=alice, competency=other, plan="Not a competency")
    assert "competency" in exc.value.message_dict


def test_notes_are_private_and_may_answer_a_question(client, alice, bob, guide):
    question = guide["questions"][1]
    client.force_login(alice)
    form = client.get(reverse("support:reflection_new") + f"?question={question.pk}").content.decode()
    assert f'<option value="{question.pk}" selected>' in form
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    refused = client.post(reverse("support:reflection_new"), {"written_on": future, "text": "x",
                                                              "question": question.pk})
    assert "This date is in the future" in refused.content.decode() and not Reflection.objects.exists()
    client.post(reverse("support:reflection_new"), {"written_on": "2026-02-02", "text": "Went well.",
                                                    "question": question.pk})
    note = Reflection.objects.get()
    assert note.question == question and note.owner == alice
    assert "Went well." in client.get(reverse("support:growth")).content.decode()
    client.force_login(bob)
    assert client.get(reverse("support:reflection_edit", args=[note.pk])).status_code == 404
    assert "Went well." not in client.get(reverse("support:growth")).content.decode()


def test_huge_ids_are_not_found(client, alice, guide):
    client.force_login(alice)
    assert client.get(f"/support/practice/assessments/{2**63}/").status_code == 404
    assert client.get(f"/support/practice/notes/{2**40}/edit/").status_code == 404


def test_the_page_sends_as_many_queries_for_many_rows(client, alice, bob, guide):
    client.force_login(alice)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("support:growth")).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            a = services.assessment_create(user=alice, taken_on=date(2025, 1, 1) + timedelta(days=i * 30),
                                           levels=levels(guide, 1 + i % 5))
            services.assessment_share(assessment=a, user=alice, with_user=bob)
            services.reflection_create(user=alice, written_on=date(2025, 1, 2) + timedelta(days=i), text=f"n{i}")
            services.assessment_create(user=bob, taken_on=date(2025, 1, 1), levels=levels(guide)).shares.create(
                shared_with=alice)

    add(2)
    small = count()
    add(5)
    assert count() == small
