"""Browser journey (issue 13): "did it work?" answered from the data. A lead defines a monthly
proportion, uploads two years of it from an XLSX file with one bad row (sees the message at its row,
fixes the file, uploads again and stores it), ties a success criterion "at least 60 % by a date" to
it in step 3, sees the chart with the strategy's start marked, and sees the verdict proposed in step 4.
Real Chromium, real server, real database; the upload is checked and stored by the task runner."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tailorkit.library.models import ContentPack
from tailorkit.measures import periods
from tailorkit.measures.models import Measure, Observation
from tailorkit.projects.models import Iteration, Project
from tailorkit.projects.services import projects as project_services
from tailorkit.projects.tests.factories import choose_strategy

from .browser import sign_in

pytestmark = pytest.mark.browser

MEASURE = "Patients offered iCBT within 4 weeks"


def months_back(n):
    """The first days of the ``n`` months that end with last month, oldest first."""
    start, out = periods.start_of(periods.MONTH, timezone.localdate()), []
    for _i in range(n):
        start = (start - timedelta(days=1)).replace(day=1)
        out.append(start)
    return list(reversed(out))


def workbook(months, bad_row=None):
    """Two years of a proportion: about 40 % for fourteen months, then about 70 % once the strategy
    started; ``bad_row`` (counting the header as 1) gets a denominator smaller than its numerator."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Month", "Offered within 4 weeks", "Referred"])
    wobble = [0, 2, -1, 1, -2, 3, 0, -1, 2, 1, -3, 0]
    for i, month in enumerate(months):
        offered = (20 if i < 14 else 35) + wobble[i % 12]
        sheet.append([month.strftime("%Y-%m"), offered, 10 if i + 2 == bad_row else 50])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def project(packs, org, alice, bob):
    project = project_services.project_create(
        organisation=org, user=alice, name="iCBT in primary care", service="Internet-delivered CBT",
        determinant_pack=ContentPack.objects.get(slug="icbt-determinants"),
        strategy_pack=ContentPack.objects.get(slug="eric"), team=[alice, bob])
    iteration = choose_strategy(project, alice, name="Audit and feedback")
    # The strategy was chosen ten months ago: the history says when.
    chosen = timezone.now() - timedelta(days=300)
    Iteration.history.filter(id=iteration.pk).update(history_date=chosen)
    Iteration.objects.filter(pk=iteration.pk).update(started_at=chosen - timedelta(days=30))
    Project.objects.filter(pk=project.pk).update(started_on=(chosen - timedelta(days=60)).date())
    return project


def test_a_measure_from_an_xlsx_file_judges_a_success_criterion(transactional_db, live_server, browser, project,
                                                               org, alice, password, tmp_path):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, alice, password)
    months = months_back(24)

    # 1. Define a monthly proportion.
    page.goto(f"/o/{org.slug}/measures/")
    page.get_by_role("link", name="Define your first measure").click()
    page.get_by_label("Name").fill(MEASURE)
    page.get_by_label("Kind").select_option("proportion")
    page.get_by_label("Period").select_option("month")
    page.get_by_role("button", name="Create measure").click()
    expect(page.get_by_text("Measure created.")).to_be_visible()
    measure = Measure.objects.get(name=MEASURE)
    assert measure.kind == Measure.Kind.PROPORTION and measure.period == Measure.Period.MONTH

    # 2. Upload two years with one bad row: the problem is named at its row and column, nothing stored.
    page.goto(f"/o/{org.slug}/measures/{measure.pk}/upload/")
    bad = tmp_path / "offered.xlsx"
    bad.write_bytes(workbook(months, bad_row=9))
    page.get_by_label("File to upload").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="The file has problems: nothing was stored")).to_be_visible()
    problem = page.locator("table.upload-errors tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("9")
    expect(problem.locator("td").nth(1)).to_have_text("Referred")
    expect(problem.locator("td").nth(2)).to_contain_text("smaller than the numerator")
    assert not Observation.objects.filter(measure=measure).exists()

    # Fixed, uploaded again, checked, previewed and stored.
    page.get_by_role("button", name="Upload a corrected file").click()
    good = tmp_path / "offered-fixed.xlsx"
    good.write_bytes(workbook(months))
    page.get_by_label("File to upload").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="The file is ready to be stored")).to_be_visible()
    page.get_by_role("button", name="Store 24 rows").click()
    expect(page.get_by_role("heading", name="Values stored")).to_be_visible()
    assert Observation.objects.filter(measure=measure).count() == 24

    # 3. Step 3: a success criterion "at least 60 % by" the end of last month, tied to the measure.
    page.goto(f"/o/{org.slug}/projects/{project.pk}/plan/")
    page.get_by_text("Add a success criterion").click()
    form = page.locator("#add-criterion")
    form.get_by_label("What will show it worked").fill("Most referred patients are offered iCBT within 4 weeks")
    form.get_by_label("Measure (optional)").select_option(label=MEASURE)
    form.get_by_label("Numeric target (optional)").fill("60")
    form.get_by_label("By when (optional)").fill((months[-1] + timedelta(days=27)).isoformat())
    form.get_by_role("button", name="Add criterion").click()
    verdict = page.locator(".criterion-verdict").first
    expect(verdict).to_contain_text(MEASURE)
    expect(verdict).to_contain_text("strategy started")
    expect(verdict.locator(".verdict")).to_have_text("Met")

    # The measure's chart shows the strategy's start among the project's events.
    page.goto(f"/o/{org.slug}/measures/{measure.pk}/")
    expect(page.locator("main")).to_contain_text("strategy chosen: Audit and feedback")
    expect(page.locator("main svg, main img").first).to_be_visible()

    # 4. Step 4: the verdict of the data is shown and proposed in the review form.
    page.goto(f"/o/{org.slug}/projects/{project.pk}/review/")
    expect(page.locator("main")).to_contain_text("the data say")
    expect(page.locator("main .verdict").first).to_have_text("Met")
    context.close()
