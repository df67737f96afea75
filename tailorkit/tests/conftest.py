"""Fixtures for the tests that cross apps: the outsider sweeps and the browser journeys.

Each app supplies its own objects through ``<app>/tests/factories.py``; this package only merges
them, so an app that adds routes adds their values in its own factories and both sweeps pick
them up.
"""

import pytest
from django.core.management import call_command

from tailorkit.consultations.models import Question, QuestionKind
from tailorkit.consultations.tests import factories as consultation_factories
from tailorkit.core.tests import factories as core_factories
from tailorkit.library.tests import factories as library_factories
from tailorkit.measures.tests import factories as measure_factories
from tailorkit.projects.models import Project
from tailorkit.projects.tests import factories as project_factories
from tailorkit.support.tests import factories as support_factories


@pytest.fixture
def packs(db):
    """The real content packs (the journeys pick barriers and strategies from them)."""
    call_command("load_packs", verbosity=0)


def sweep_values_for(org, lead, member):
    """One object of ``org`` (or of the library) for every URL parameter of every page and API
    route: ``{parameter name: value}``; ``lead`` leads ``org``, ``member`` is a member."""
    values = {
        **core_factories.sweep_values(org, lead, member),
        **library_factories.sweep_values(library_factories.tiny_library(prefix="sweep")),
        # Measures before projects: the project links the measure whose upload and notes are swept.
        **measure_factories.sweep_values(org, lead),
        **project_factories.sweep_values(org, lead),
        **consultation_factories.sweep_values(org, lead),
        # A practitioner's own records (personal, not the organisation's): the lead's, shared with the member.
        **support_factories.sweep_values(org, lead, member),
    }
    # The API names an iteration by its number within the project.
    values["iteration_number"] = Project.objects.get(pk=values["project_id"]).current_iteration.number
    # ... and a free-text question by its key, within the consultation.
    values["question_key"] = Question.objects.get(questionnaire__consultations__uuid=values["consultation_id"],
                                                  kind=QuestionKind.TEXT).key
    return values


@pytest.fixture
def sweep_values(org, alice, bob):
    """``sweep_values_for`` alice's organisation (the query-shape test calls it for its own)."""
    return sweep_values_for(org, alice, bob)
