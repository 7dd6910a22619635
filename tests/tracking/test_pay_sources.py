"""The dashboard's pay from another app's terms (tracking.pay_sources), without tracking
importing that app: the first source with an estimate wins; without one, Goals & pay's rate."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from codes.wrvu import LineSpec
from tracking import pay_sources, selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    seen = []

    def estimate(user, *, year, today, days_off, since, carried):
        seen.append((user, year, today))
        if user.email.startswith("skip"):
            return None
        return pay_sources.PayEstimate(
            to_date=Decimal("1234.50"),
            projected=Decimal("9999.99"),
            steps=("Base: $1,234.50",),
            source="Under a test source.",
            url="/somewhere/",
        )

    pay_sources.register_pay_source(
        pay_sources.PaySource(
            "a_test_source",
            estimate,
            pay_sources.PayLink("Test pay", "tracking:locations", "From a test."),
        )
    )
    yield seen
    pay_sources.unregister_pay_source("a_test_source")


def test_a_source_pays_the_dashboard_instead_of_the_rate(client, attending, release, source):
    services.preferences_update(user=attending, data={"dollars_per_wrvu": "50"})
    services.encounter_create(
        user=attending,
        details=services.EntryDetails(date=timezone.localdate(), setting="facility"),
        lines=[LineSpec("99213")],
        release=release,
    )
    client.force_login(attending)

    html = client.get(reverse("tracking:dashboard")).content.decode()

    assert 'data-testid="pay-to-date">$1,234.50<' in html
    assert "Under a test source." in html
    assert "<li>Base: $1,234.50</li>" in html
    assert "Test pay" in client.get(reverse("tracking:goals")).content.decode()


def test_a_source_without_an_estimate_leaves_the_rate(attending, source):
    attending.email = "skip@example.com"
    services.preferences_update(user=attending, data={"dollars_per_wrvu": "50"})

    standing = selectors.standing(attending, dt.date(2026, 5, 15))

    assert standing.pay_estimate is None
    assert standing.pay_to_date is not None
    assert source[-1][1] == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
