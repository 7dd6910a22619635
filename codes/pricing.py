"""Medicare payment for a code: pure Decimal arithmetic, no ORM (DOMAIN.md, "Payment").

    amount = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor

Non-facility uses the non-facility PE RVU, facility the facility PE RVU; national amounts use
GPCIs of 1. Only the final amount is rounded, to cents, half up. An NA indicator means the code
is not payable in that setting: the amount is None with a reason, never $0.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rvuedge import rounding

NON_PAR_SHARE = Decimal("0.95")
LIMITING_CHARGE_SHARE = Decimal("1.15")

# Statuses with a national fee schedule amount (readme: A and T carry RVUs used for payment;
# R is priced by the contractor when covered).
PRICED_STATUSES = frozenset({"A", "T"})

NO_NATIONAL_AMOUNT = {
    "B": "Bundled: paid as part of the services it accompanies, never on its own.",
    "C": "Priced by the Medicare contractor (MAC) case by case, so there is no national amount.",
    "D": "Deleted from the fee schedule.",
    "E": (
        "Excluded from the physician fee schedule by regulation. When covered, such items are "
        "paid another way: drugs from average sales price (ASP) files, supplies and equipment "
        "from their own fee schedules, or by the payer's contract."
    ),
    "F": "Deleted from the fee schedule with no grace period.",
    "G": "Not valid for Medicare: Medicare pays another code for this service.",
    "H": "This modifier of the code has been deleted.",
    "I": "Not valid for Medicare: Medicare pays another code for this service.",
    "J": "Anesthesia: paid from base and time units with an anesthesia conversion factor.",
    "M": "Measurement code: reported for quality programs, with no payment.",
    "N": "Not covered by Medicare, so Medicare sets no amount (other payers may cover it).",
    "P": "Bundled or excluded: no separate payment under the fee schedule.",
    "R": "Restricted coverage: when covered, the Medicare contractor sets the price.",
    "X": "Excluded by statute from physician services (paid under another benefit, if at all).",
}


@dataclass(frozen=True)
class Gpci:
    work: Decimal
    pe: Decimal
    mp: Decimal


NATIONAL = Gpci(Decimal(1), Decimal(1), Decimal(1))


@dataclass(frozen=True)
class Amount:
    """Payment in one setting; `exact` is None when the code is not payable there.

    Each figure a person reads is rounded once, from the exact amount.
    """

    exact: Decimal | None
    reason: str | None = None

    @property
    def payable(self) -> bool:
        return self.exact is not None

    @property
    def amount(self) -> Decimal | None:
        return _cents(self.exact) if self.payable else None

    @property
    def non_participating(self) -> Decimal | None:
        return _cents(self.exact * NON_PAR_SHARE) if self.payable else None

    @property
    def limiting_charge(self) -> Decimal | None:
        """115% of the non-participating amount (109.25% of par)."""
        if not self.payable:
            return None
        return _cents(self.exact * NON_PAR_SHARE * LIMITING_CHARGE_SHARE)


def _cents(value: Decimal) -> Decimal:
    return rounding.cents(value)


def payment(
    *,
    status: str,
    work_rvu: Decimal,
    pe_rvu: Decimal,
    mp_rvu: Decimal,
    pe_na: bool,
    conversion_factor: Decimal,
    gpci: Gpci = NATIONAL,
) -> Amount:
    """Medicare's allowed amount in one setting (pass that setting's PE RVU and NA flag)."""
    if status not in PRICED_STATUSES:
        return Amount(None, NO_NATIONAL_AMOUNT.get(status, f"Status {status}: no amount."))
    if pe_na:
        return Amount(None, "Not payable in this setting (NA in the fee schedule).")
    total = work_rvu * gpci.work + pe_rvu * gpci.pe + mp_rvu * gpci.mp
    return Amount(total * conversion_factor)
