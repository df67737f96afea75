from django.core.management import call_command

from tailorkit.projects.demo import DEMO_PROJECT
from tailorkit.projects.models import Project, Step


def test_the_demo_is_created_once_and_stands_part_way_through_the_cycle(packs, settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    call_command("seed_demo")
    call_command("seed_demo")
    project = Project.objects.get(name=DEMO_PROJECT)
    assert Project.objects.count() == 1
    assert project.step == Step.PLAN
    iteration = project.iterations.get()
    assert iteration.chosen_option.name == "Identify and prepare champions"
    assert iteration.tasks.count() == 3 and iteration.criteria.count() == 1
    assert "Password:" in capsys.readouterr().out
