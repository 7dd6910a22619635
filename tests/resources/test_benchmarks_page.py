"""The public benchmark page: every loaded figure with its source (benchmarks app's rows)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_public_table_names_every_source(client):
    call_command("load_benchmarks", verbosity=0)

    html = client.get(reverse("benchmarks")).content.decode()

    assert "Grimsley EA" in html and "2022" in html
    assert "MGMA DataDive" in html


def test_the_page_says_when_no_figures_are_loaded(client):
    response = client.get("/resources/benchmarks/")

    assert response.status_code == 200
    assert "No benchmark figures are loaded yet." in response.text
