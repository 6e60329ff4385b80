"""Schemathesis over the OpenAPI schema: no server errors, no answer the schema does not allow.

Every operation is called through the real WSGI application (middleware, ATOMIC_REQUESTS and
all) with a practitioner's token, with generated valid and invalid data. The check that valid
data must be accepted is left out on purpose: the schema cannot say "last seen must be in the
past" or "episodes must not overlap", so a 400 from a service rule is a correct answer there.

The schema is generated in-process (the same generator that serves /api/schema/, and a test
checks the two agree) because schemathesis' lazy fixture loader does not run on pytest 9.
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.renderers import JSONRenderer
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lantern.api.tests.conftest import token_for
from lantern.wsgi import application

MAX_EXAMPLES = 8


def generated_schema() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(JSONRenderer().render(raw))


schema = schemathesis.openapi.from_dict(generated_schema())
schema.app = application


@pytest.fixture
def sam_token(world, records) -> str:
    return token_for(world.sam)


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Django closes a connection that is not in autocommit at the start and end of a request,
    and the test's connection never is (the test runs in a transaction). Its own test client
    turns that off for the duration of a request; schemathesis calls the WSGI app directly."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_the_served_schema_is_the_one_tested(api, world):
    served = api(world.sam).get("/api/schema/?format=json")
    assert served.status_code == 200
    assert json.loads(served.content) == generated_schema()


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, sam_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {sam_token}"},
        excluded_checks=[positive_data_acceptance],
    )
