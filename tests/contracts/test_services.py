"""Saving contracts: the rules a form and the API share, and nothing saved when one is broken."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from contracts import services
from contracts.models import Contract, ContractTier
from tests.contracts.factories import contract, offer
from tracking.models import Location

pytestmark = pytest.mark.django_db
D = Decimal


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_contract_is_saved_with_its_rows(attending):
    location = Location.objects.create(user=attending, name="Valley ASC")

    saved = contract(
        attending,
        tiers=((0, 50), (7000, 55)),
        bonuses=[{"name": "Quality", "kind": "percent", "value": D(5), "achieved_percent": D(80)}],
        stipends=[{"kind": "call", "name": "", "annual_amount": D(20000)}],
        location_rates=[{"location": location, "rate": D(60)}],
    )

    terms = Contract.objects.with_terms().get(pk=saved.pk).as_terms()
    assert [(t.from_wrvu, t.rate) for t in terms.tiers] == [(D(0), D(50)), (D(7000), D(55))]
    assert terms.bonuses[0].achieved_percent == D(80)
    assert terms.stipends[0].label == "Call stipend"
    assert terms.location_rates[0].name == "Valley ASC"


def test_saving_again_replaces_the_rows(attending):
    saved = contract(attending, tiers=((0, 50), (7000, 55)))

    services.contract_save(
        user=attending,
        contract=saved,
        rows=services.ContractRows(tiers=[{"from_wrvu": D(0), "rate": D(48)}]),
    )

    assert list(ContractTier.objects.values_list("rate", flat=True)) == [D(48)]


def test_tiers_must_ascend_and_nothing_is_saved(attending):
    errors = errors_of(lambda: contract(attending, tiers=((5000, 50), (4000, 60))))

    assert errors["tiers"] == [
        "Tiers must ascend: tier 2 starts at 4,000.00 wRVU, not above tier 1 (5,000.00)."
    ]
    assert not Contract.objects.exists()


def test_the_end_must_not_come_before_the_start(attending):
    errors = errors_of(
        lambda: contract(attending, start_date=dt.date(2026, 7, 1), end_date=dt.date(2026, 6, 1))
    )

    assert errors["end_date"] == ["The end date must be on or after the start date."]


def test_signed_contracts_must_not_overlap_but_offers_may(attending):
    contract(attending, end_date=dt.date(2026, 12, 31))

    errors = errors_of(lambda: contract(attending, name="New", start_date=dt.date(2026, 12, 31)))
    assert "is in force on some of these dates" in errors["start_date"][0]
    assert "St. Mary's 2026" in errors["start_date"][0]

    contract(attending, name="Next", start_date=dt.date(2027, 1, 1))
    offer(attending, start_date=dt.date(2026, 6, 1))
    assert Contract.objects.count() == 3


def test_another_users_contract_never_clashes(attending, other_user):
    contract(other_user)

    contract(attending)

    assert Contract.objects.count() == 2


def test_names_are_unique_per_user(attending, other_user):
    offer(attending)
    offer(other_user)

    errors = errors_of(lambda: offer(attending))

    assert errors["__all__"] == ["You already have a contract or offer with this name."]


def test_a_rate_for_someone_elses_location_is_refused(attending, other_user):
    theirs = Location.objects.create(user=other_user, name="Their ASC")

    errors = errors_of(
        lambda: contract(attending, location_rates=[{"location": theirs, "rate": D(60)}])
    )

    assert errors["location_rates"] == ["Choose one of your own locations."]


def test_a_row_out_of_range_names_its_row(attending):
    errors = errors_of(
        lambda: contract(
            attending,
            bonuses=[
                {"name": "Quality", "kind": "percent", "value": D(5), "achieved_percent": D(150)}
            ],
        )
    )

    assert errors["bonuses"] == [
        "Bonus 1: achieved, %: Ensure this value is less than or equal to 100."
    ]


def test_a_threshold_needs_a_tier(attending):
    errors = errors_of(lambda: contract(attending, tiers=()))

    assert errors["tiers"] == ["A threshold needs a tier: add the $ per wRVU paid above it."]
