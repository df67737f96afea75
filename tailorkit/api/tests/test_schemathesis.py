"""Schemathesis generates requests from the API's OpenAPI schema and checks that no route answers
with a server error or with a status code its schema does not document.

Runs inside the normal pytest run. Each operation gets random valid input (most of it hits 404),
deliberately invalid input (422) and, to reach the 200 paths as well, valid input with real path
parameters from alice's organisation, one project with a row of every step, and the library.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tailorkit.core.models import Membership
from tailorkit.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Kept low so that the run stays quick with 45+ operations; every operation is still exercised.
EXAMPLES_PER_OPERATION = 10


def _real_path_parameters(org, bob, library, steps):
    return {
        "org_slug": org.slug,
        "membership_id": Membership.objects.get(user=bob).pk,
        "pack_slug": library["determinants"].slug,
        "item_code": library["barrier"].code,
        "project_id": steps["project"].pk,
        "iteration_number": steps["iteration"].number,
        **{f"{name}_id": steps[name].pk for name in ("goal", "barrier", "option", "task", "criterion", "review",
                                                     "entry", "group", "person", "plan", "record")},
    }


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus the connection clean-up at the end of each request.

    Django closes a connection after a request when it is inside a transaction (as every test is),
    which would end the test's own transaction on PostgreSQL. Django's test client switches that
    clean-up off the same way; schemathesis calls the application directly, so we do it here.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_every_operation_answers_only_documented_status_codes(wsgi_app, org, alice, bob, library, token_for,
                                                              stepped_project, consultation_objects):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    headers = {"Authorization": f"Bearer {token_for(alice)}"}
    real = _real_path_parameters(org, bob, library, stepped_project)
    real.update(questionnaire_id=consultation_objects["questionnaire"].pk,
                consultation_id=str(consultation_objects["consultation"].uuid))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    # Deletes last, so that the other operations still find the real rows to change.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")

    for operation in operations:
        names = [p.name for p in operation.path_parameters]
        strategy = st.one_of(
            operation.as_strategy(),
            # Input that breaks the schema on purpose: it must get a documented 4xx, never a 500.
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            operation.as_strategy(path_parameters={name: real[name] for name in names if name in real}),
        )

        # The database is the test's own transaction, so examples share it: what one write
        # changes (a goal deleted, a new iteration started) is what the next request finds.
        @given(case=strategy)
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
