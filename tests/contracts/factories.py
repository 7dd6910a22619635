"""Contracts for tests, saved through the service as the pages and the API save them."""

import datetime as dt
from decimal import Decimal

from contracts import services
from contracts.models import Contract


def contract(user, *, tiers=((0, 50),), bonuses=(), stipends=(), location_rates=(), **fields):
    values = {
        "name": "St. Mary's 2026",
        "status": Contract.Status.SIGNED,
        "start_date": dt.date(2026, 1, 1),
        "base_salary": Decimal(300000),
        "threshold_wrvu": Decimal(5000),
        **fields,
    }
    rows = services.ContractRows(
        tiers=[{"from_wrvu": Decimal(a), "rate": Decimal(b)} for a, b in tiers],
        bonuses=list(bonuses),
        stipends=list(stipends),
        location_rates=list(location_rates),
    )
    return services.contract_save(user=user, contract=Contract(**values), rows=rows)


def offer(user, name="Offer: Valley Ortho", **fields):
    return contract(user, name=name, status=Contract.Status.OFFER, **fields)
