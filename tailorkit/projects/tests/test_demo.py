from django.core.management import call_command

from tailorkit.consultations.models import Consultation, Invitation
from tailorkit.projects import stakeholders
from tailorkit.projects.demo import DEMO_PROJECT, FINISHED_PROJECT
from tailorkit.projects.models import EffortEntry, Project, Step


def test_the_demo_is_created_once_and_shows_every_part_of_the_cycle(packs, settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")
    assert Project.objects.count() == 2 and Consultation.objects.count() == 2
    project = Project.objects.get(name=DEMO_PROJECT)
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
