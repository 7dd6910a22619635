"""Schemathesis over the published OpenAPI schema (/api/schema/): generated requests to every
operation, valid and invalid, must never answer 5xx, and every answer must be one the schema
documents, with a body of the documented shape.

One check is left out, with its reason: "a schema-valid request is accepted" cannot hold for
values the schema cannot enumerate (a release name this site has not imported, a date range too
long to group by day): those are refused with a documented 400 that names the parameter."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.services import api_token_create
from rvuedge.wsgi import application
from tests.factories import UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def token(db, release):
    return api_token_create(user=UserFactory(), name="fuzz")


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request; inside a test's
    transaction it must stay open (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_answers_every_generated_request_as_documented(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        excluded_checks=[positive_data_acceptance],
    )
