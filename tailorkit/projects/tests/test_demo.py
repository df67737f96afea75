from django.core.management import call_command
from django.utils import timezone

from tailorkit.consultations.models import Consultation, Invitation
from tailorkit.measures import selectors as measure_selectors
from tailorkit.measures import spc
from tailorkit.measures.models import Annotation, Baseline, Measure
from tailorkit.projects import stakeholders
from tailorkit.projects.demo import DEMO_PROJECT, FINISHED_PROJECT, OFFERED, REFERRALS, WAITING
from tailorkit.projects.models import EffortEntry, Project, ProjectMeasure, Step


def test_the_demo_is_created_once_and_shows_every_part_of_the_cycle(packs, settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")
    project = Project.objects.get(name=DEMO_PROJECT)
    assert Project.objects.filter(organisation=project.organisation).count() == 2  # others: the peer network
    assert Consultation.objects.count() == 2
    assert project.step == Step.PLAN and project.status == Project.Status.ACTIVE
    iteration = project.iterations.get()
    assert iteration.chosen_option.name == "Identify and prepare champions"
    assert iteration.tasks.count() == 3 and iteration.criteria.count() == 1
    assert EffortEntry.objects.filter(project=project).count() == 5

    # Stakeholders rated the barriers: enough answers for the results to show next to the team's.
    rated, running = Consultation.objects.order_by("created_at")
    assert rated.is_closed() and rated.responses.count() == 9 >= rated.min_group_size
    figures = stakeholders.stakeholder_barrier_figures(project)
    awareness = project.barriers.get(item__name="Awareness")
    importance, _changeability, n = figures["values"][awareness.pk]
    assert n == 9 and 4.3 < importance < 4.4 and not figures["withheld"]  # 39 / 9, not withheld
    # ... and a second consultation is running, with fewer invitations than the minimum group size.
    assert running.is_open() and Invitation.objects.filter(consultation=running).count() == 4

    finished = Project.objects.get(name=FINISHED_PROJECT)
    assert finished.status == Project.Status.COMPLETED
    assert finished.iterations.get().decisions.get().kind == "success"
    assert "Password:" in capsys.readouterr().out


def test_the_demo_has_measures_up_to_date_with_notes_a_rebase_and_an_improvement(packs, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")
    measures = {m.name: m for m in Measure.objects.all()}
    assert set(measures) == {OFFERED, REFERRALS, WAITING}
    offered, referrals, waiting = measures[OFFERED], measures[REFERRALS], measures[WAITING]
    assert (offered.kind, offered.period, offered.observations.count()) == ("proportion", "month", 24)
    assert (referrals.kind, referrals.period, referrals.observations.count()) == ("count", "week", 52)
    assert (waiting.kind, waiting.better, waiting.observations.count()) == ("mean", "down", 24)
    today = timezone.localdate()
    for measure in measures.values():  # nothing overdue: each ends with the last complete period
        [row] = measure_selectors.overview_rows(measure.organisation, [measure], today=today)
        assert row.latest.period == measure_selectors.last_complete_period(measure.period, today)
        assert not [a for a in row.attention if a.kind == "overdue"]
    # The share offered rose after the referral letters changed: the chart shows an improvement.
    analysis = measure_selectors.analysis_of(offered)
    assert any(s.direction == spc.IMPROVEMENT for s in analysis.signals)
    assert Annotation.objects.filter(measure=offered).count() == 1
    # The limits of the waiting time were recalculated, with a reason, when online booking started.
    rebase = Baseline.objects.get(measure=waiting)
    assert rebase.reason and Annotation.objects.filter(measure=waiting, period_start=rebase.first_period).exists()
    project = Project.objects.get(name=DEMO_PROJECT)
    assert ProjectMeasure.objects.filter(project=project).count() == 3
    criterion = project.iterations.get().criteria.get()
    assert (criterion.measure, criterion.direction, criterion.target_value) == (offered, "at_least", 50)


def test_the_demo_shows_stakeholder_engagement_with_a_group_never_heard(packs, settings, tmp_path):
    from tailorkit.projects.models import EngagementRecord
    from tailorkit.projects.selectors import engagement

    settings.DATA_DIR = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")
    project = Project.objects.get(name=DEMO_PROJECT)
    # The barrier survey added its own record when it closed, naming the groups it was planned for.
    survey = EngagementRecord.objects.get(project=project, consultation__isnull=False)
    assert survey.approach == "survey" and survey.people == 9
    assert sorted(g.name for g in survey.groups.all()) == ["GPs who refer", "Practice managers", "Therapists"]
    meeting = EngagementRecord.objects.get(project=project, approach="meeting")
    assert [(c.kind, c.label, c.what) for c in meeting.changes.all()] == [("barrier", "Time", "added")]
    assert EngagementRecord.objects.filter(project=project).count() == 3
    grid = engagement.grid(project)
    assert sorted(g.name for g in grid["never_engaged"]) == ["IT support", "Patients"]
