"""contracts' section of "download my data" (rvuedge.user_data): one row per contract or offer,
its rows written out as text. Contracts cascade from the user; their rows from the contract."""

from contracts.models import Contract, ContractBonus
from rvuedge import rounding
from rvuedge.user_data import register_user_data


def _tiers(contract) -> str:
    return "; ".join(
        f"from {rounding.fixed(t.from_wrvu, 2)} wRVU at ${rounding.fixed(t.rate, 2)}"
        for t in contract.tiers.all()
    )


def _bonuses(contract) -> str:
    return "; ".join(
        (
            f"{b.name}: {rounding.fixed(b.value, 2)}% of base salary"
            if b.kind == ContractBonus.Kind.PERCENT
            else f"{b.name}: ${rounding.fixed(b.value, 2)} a year"
        )
        + f", {rounding.fixed(b.achieved_percent, 2)}% achieved"
        for b in contract.bonuses.all()
    )


def _stipends(contract) -> str:
    return "; ".join(
        f"{s.name or s.get_kind_display()}: ${rounding.fixed(s.annual_amount, 2)} a year"
        for s in contract.stipends.all()
    )


def _location_rates(contract) -> str:
    return "; ".join(
        f"{r.location.name}: ${rounding.fixed(r.rate, 2)} per wRVU"
        for r in contract.location_rates.all()
    )


def export_contracts(user) -> list[dict]:
    return [
        {
            "name": c.name,
            "status": c.status,
            "start_date": c.start_date,
            "end_date": c.end_date,
            "base_salary": c.base_salary,
            "threshold_wrvu": c.threshold_wrvu,
            "figure": c.figure,
            "reconciliation": c.reconciliation,
            "draw": c.draw,
            "shortfall": c.shortfall,
            "tiers": _tiers(c),
            "bonuses": _bonuses(c),
            "stipends": _stipends(c),
            "location_rates": _location_rates(c),
            "created_at": c.created_at,
        }
        for c in Contract.objects.for_user(user).with_terms().order_by("start_date", "pk")
    ]


def register():
    register_user_data(
        "contracts",
        export=export_contracts,
        delete=lambda user: Contract.objects.for_user(user).delete(),
        models=(Contract,),
    )
