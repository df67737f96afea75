import io

from django.urls import reverse
from pypdf import PdfReader

from tailorkit.core.models import AuditEvent
from tailorkit.projects.models import Goal, Task

from .test_records_transfer import build_full_project


def test_the_summary_shows_goal_barrier_strategy_plan_and_decisions(client_for, alice, bob, dave, project, org):
    build_full_project(project, alice, bob)
    html = client_for(dave).get(reverse("projects:project_summary", args=[org.slug, project.pk])).content.decode()
    for text in (
        "Twice as many referrals",
        "Referral letter template",
        "Draft the letter",
        "Letter used by 5 practices",
        "Earlier iterations",
        "Training was not enough",
    ):
        assert text in html, text
    assert "GPs are &lt;b&gt;busy&lt;/b&gt;" in html


def test_the_summary_pdf_contains_the_project_and_its_strategy(client_for, alice, bob, project, org):
    build_full_project(project, alice, bob)
    response = client_for(bob).get(reverse("projects:project_summary_pdf", args=[org.slug, project.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert project.name in text and "Referral letter template" in text
    assert AuditEvent.objects.filter(action="project.exported", actor=bob, details__format="pdf").exists()


def test_the_summary_query_count_does_not_grow_with_rows(
    client_for, alice, bob, project, org, django_assert_max_num_queries
):
    build_full_project(project, alice, bob)
    client = client_for(alice)
    url = reverse("projects:project_summary", args=[org.slug, project.pk])
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    iteration = project.current_iteration
    for i in range(20):
        Task.objects.create(organisation=org, project=project, iteration=iteration, title=f"T{i}", owner=bob)
        Goal.objects.create(organisation=org, project=project, target_group="x", end_goal=f"G{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_an_outsider_gets_404_on_the_outputs(client_for, mallory, project, org):
    client = client_for(mallory)
    for name in (
        "projects:project_summary",
        "projects:project_summary_pdf",
        "projects:project_export",
        "projects:project_timeline",
        "projects:project_effort",
    ):
        assert client.get(reverse(name, args=[org.slug, project.pk])).status_code == 404, name
