"""Paging is strict: a page or page size that is not a whole number in range is a 400 naming
the parameter, a page past the last a 404; both answer JSON."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("page=0", 400, "page"),
        ("page=abc", 400, "page"),
        ("page=²", 400, "page"),  # a digit to str.isdigit, not to int()
        ("page=1.5", 400, "page"),
        ("page_size=0", 400, "page_size"),
        ("page_size=201", 400, "page_size"),
        ("page_size=-3", 400, "page_size"),
        ("page=2", 404, "detail"),
        ("page=last", 200, "results"),
        ("page=1&page_size=200", 200, "results"),
    ],
)
def test_paging_parameters_are_checked(client, query, status, field):
    client.force_login(UserFactory())

    response = client.get(f"{reverse('api-logs-list')}?{query}")

    assert response.status_code == status
    assert field in response.json()


def test_an_unknown_api_address_answers_json_404(client):
    response = client.get("/api/v1/logs/1.5e-30/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
