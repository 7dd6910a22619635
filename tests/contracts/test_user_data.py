"""Contracts are part of "download my data", and go when the account goes."""

import json
from decimal import Decimal

import pytest

from accounts.services import user_delete
from accounts.user_data import user_data_json
from contracts.models import Contract, ContractTier
from tests.contracts.factories import contract, offer
from tracking.models import Location

pytestmark = pytest.mark.django_db


def test_download_my_data_holds_the_contracts_and_delete_removes_them(attending, other_user):
    asc = Location.objects.create(user=attending, name="Valley ASC")
    contract(
        attending,
        tiers=((0, 50), (7000, 55)),
        bonuses=[{"name": "Quality", "kind": "percent", "value": Decimal(5),
                  "achieved_percent": Decimal(80)}],
        stipends=[{"kind": "call", "name": "", "annual_amount": Decimal(20000)}],
        location_rates=[{"location": asc, "rate": Decimal(60)}],
    )  # fmt: skip
    offer(other_user)

    (row,) = json.loads(user_data_json(user=attending))["sections"]["contracts"]

    assert (row["name"], row["status"], row["base_salary"]) == (
        "St. Mary's 2026",
        "signed",
        "300000.00",
    )
    assert row["tiers"] == "from 0.00 wRVU at $50.00; from 7000.00 wRVU at $55.00"
    assert row["bonuses"] == "Quality: 5.00% of base salary, 80.00% achieved"
    assert row["stipends"] == "Call: $20000.00 a year"
    assert row["location_rates"] == "Valley ASC: $60.00 per wRVU"

    user_delete(user=attending)

    assert list(Contract.objects.values_list("name", flat=True)) == ["Offer: Valley Ortho"]
    assert ContractTier.objects.filter(contract__user=other_user).count() == 1
