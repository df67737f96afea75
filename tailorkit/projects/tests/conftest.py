import pytest
from django.core.management import call_command

from tailorkit.library.models import ContentPack
from tailorkit.projects.services import projects as project_services

from .factories import choose_strategy


@pytest.fixture
def packs(db):
    call_command("load_packs", verbosity=0)


@pytest.fixture
def project(packs, org, alice, bob):
    return project_services.project_create(
        organisation=org, user=alice, name="iCBT in primary care", service="Internet-delivered CBT",
        determinant_pack=ContentPack.objects.get(slug="icbt-determinants"),
        strategy_pack=ContentPack.objects.get(slug="eric"), team=[alice, bob],
    )


@pytest.fixture
def iteration(project, alice):
    """The project's first iteration with a focus and a chosen strategy."""
    return choose_strategy(project, alice)
