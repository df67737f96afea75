from django.urls import reverse

from tailorkit.library.models import ContentPack
from tailorkit.projects.models import Project


def test_a_member_creates_a_project_with_a_first_iteration(client_for, bob, packs, org):
    response = client_for(bob).post(
        reverse("projects:project_create", args=[org.slug]),
        {
            "name": "Online CBT",
            "service": "iCBT for depression",
            "determinant_pack": ContentPack.objects.get(slug="icbt-determinants").pk,
            "strategy_pack": ContentPack.objects.get(slug="eric").pk,
            "started_on": "2026-11-01",
        },
    )
    project = Project.objects.get(name="Online CBT")
    assert response["Location"] == reverse("projects:project_home", args=[org.slug, project.pk])
    assert project.owner == bob and list(project.team.all()) == [bob]
    assert project.iterations.get().number == 1


def test_it_refuses_a_strategy_catalogue_as_barrier_list(client_for, alice, packs, org):
    eric = ContentPack.objects.get(slug="eric")
    response = client_for(alice).post(
        reverse("projects:project_create", args=[org.slug]),
        {
            "name": "X",
            "service": "Y",
            "determinant_pack": eric.pk,
            "strategy_pack": eric.pk,
        },
    )
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_a_viewer_cannot_create_projects(client_for, dave, packs, org):
    assert client_for(dave).get(reverse("projects:project_create", args=[org.slug])).status_code == 403


def test_the_home_page_shows_the_process_and_the_next_action(client_for, alice, project, org):
    html = client_for(alice).get(reverse("projects:project_home", args=[org.slug, project.pk])).content.decode()
    assert "1 · Identify goals and barriers" in html and "4 · Apply and review" in html
    assert "Write your first goal" in html
    assert "You are here" in html


def test_guidance_for_a_step_not_reached_yet_can_be_read(client_for, bob, project, org):
    html = (
        client_for(bob).get(reverse("projects:project_guide", args=[org.slug, project.pk, "review"])).content.decode()
    )
    assert "Judge each success criterion" in html
    assert "Be flexible" in html


def test_a_project_is_archived_and_restored(client_for, alice, project, org):
    client = client_for(alice)
    assert (
        "Yes, archive" in client.get(reverse("projects:project_archive", args=[org.slug, project.pk])).content.decode()
    )
    client.post(reverse("projects:project_archive", args=[org.slug, project.pk]))
    project.refresh_from_db()
    assert project.status == Project.Status.ARCHIVED
    assert project.name not in client.get(reverse("projects:project_list", args=[org.slug])).content.decode()
    assert (
        project.name in client.get(reverse("projects:project_list", args=[org.slug]) + "?archived=1").content.decode()
    )
    client.post(reverse("projects:project_archive", args=[org.slug, project.pk]))
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE


def test_a_stale_edit_of_the_project_is_refused(client_for, alice, bob, project, org):
    url = reverse("projects:project_edit", args=[org.slug, project.pk])
    base = {
        "name": "Renamed by Alice",
        "service": project.service,
        "team": [alice.pk, bob.pk],
        "started_on": "2026-11-01",
        "version": project.version,
    }
    client_for(alice).post(url, base)
    response = client_for(bob).post(url, {**base, "name": "Renamed by Bob"})
    assert "Someone else saved this project" in response.content.decode()
    project.refresh_from_db()
    assert project.name == "Renamed by Alice"


def test_the_new_project_form_shows_its_creator_ticked_under_team(client_for, bob, packs, org):
    import re

    page = client_for(bob).get(reverse("projects:project_create", args=[org.slug])).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="team" value="(\d+)"[^>]*>', page)
    assert str(bob.pk) in boxes
    ticked = re.findall(r'<input type="checkbox" name="team" value="(\d+)"[^>]*checked[^>]*>', page)
    assert ticked == [str(bob.pk)]


def test_the_migration_marks_projects_that_already_decided_to_stop(transactional_db):
    from .factories import migrate_all_to_newest, migrate_projects_to

    apps = migrate_projects_to("0004_specification_merge")
    try:
        org = apps.get_model("core", "Organisation").objects.create(name="Old site", slug="old-site")
        pack = apps.get_model("library", "ContentPack").objects.create(slug="old-pack", name="P", version="1",
                                                                       kind="strategies")
        user = apps.get_model("core", "User").objects.create(email="old@example.org")
        Old = apps.get_model("projects", "Project")
        Iteration = apps.get_model("projects", "Iteration")
        Decision = apps.get_model("projects", "Decision")
        made = {}
        for name, status, kinds in (("Worked", "active", ["continue", "success"]),
                                    ("Stopped", "active", ["stop_other"]),
                                    ("Went back", "active", ["success", "back_plan"]),
                                    ("Shelved", "archived", ["success"]), ("Fresh", "active", [])):
            project = Old.objects.create(organisation=org, name=name, service="S", determinant_pack=pack,
                                         strategy_pack=pack, owner=user, version=1, status=status)
            iteration = Iteration.objects.create(organisation=org, project=project, number=1, version=1)
            for kind in kinds:
                Decision.objects.create(organisation=org, project=project, iteration=iteration, kind=kind)
            made[name] = project.pk
        Project_ = migrate_projects_to("0005_project_status_from_decisions").get_model("projects", "Project")
        assert {name: Project_.objects.get(pk=pk).status for name, pk in made.items()} == {
            "Worked": "completed", "Stopped": "stopped", "Went back": "active", "Shelved": "archived",
            "Fresh": "active"}
    finally:
        migrate_all_to_newest()
