"""Medicare payment for a code: pure Decimal arithmetic, no ORM (DOMAIN.md, "Payment").

    amount = (work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor

Non-facility uses the non-facility PE RVU, facility the facility PE RVU; national amounts use
GPCIs of 1. Only the final amount is rounded, to cents, half up. An NA indicator means the code
is not payable in that setting: the amount is None with a reason, never $0.00.

The OPPS imaging cap (Deficit Reduction Act 2005, section 5102(b)): when a global or TC row has
non-zero "PE/MP used for OPPS payment amount" columns, its non-facility amount is the lower of
the amount above and the same formula with the OPPS PE and MP RVUs. The OPPSCAP file CMS ships
with each release lists the results per carrier and locality; this formula reproduces every row.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rvuedge import rounding

ZERO = Decimal(0)
NON_PAR_SHARE = Decimal("0.95")
# The limiting charge is 115% of the non-participating amount, i.e. 109.25% of the par amount.
LIMITING_CHARGE_SHARE = Decimal("1.0925")

# Statuses with a fee schedule amount: A active, T paid only when no other service is paid that
# day, and R restricted coverage, priced like A when it is covered (readme RVU25D, status codes).
PRICED_STATUSES = frozenset({"A", "R", "T"})
# Rows whose non-facility amount the OPPS imaging cap may lower: the global and the TC.
OPPS_CAPPED_MODIFIERS = frozenset({"", "TC"})

RESTRICTED_COVERAGE = (
    "Restricted coverage (status R): special coverage instructions apply, so Medicare covers it "
    "only in the circumstances they allow (check the national or local coverage determination), "
    "and the contractor may set its own price. The amount shown is what its RVUs give."
)

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

    `fee_schedule_exact` is the fee schedule amount the OPPS imaging cap lowered to `exact`
    (None when the cap did not apply). The amount is rounded once, from the exact figure;
    the non-participating amount and limiting charge are worked from that rounded amount.
    """

    exact: Decimal | None
    reason: str | None = None
    fee_schedule_exact: Decimal | None = None
    note: str | None = None  # e.g. restricted coverage

    @property
    def payable(self) -> bool:
        return self.exact is not None

    @property
    def amount(self) -> Decimal | None:
        return cents(self.exact) if self.payable else None

    @property
    def non_participating(self) -> Decimal | None:
        """95% of the rounded par amount."""
        return cents(self.amount * NON_PAR_SHARE) if self.payable else None

    @property
    def limiting_charge(self) -> Decimal | None:
        """109.25% of the rounded par amount (115% of the non-participating amount)."""
        return cents(self.amount * LIMITING_CHARGE_SHARE) if self.payable else None

    @property
    def capped(self) -> bool:
        return self.fee_schedule_exact is not None

    @property
    def fee_schedule_amount(self) -> Decimal | None:
        """The fee schedule amount before any OPPS cap (the amount itself when none applied)."""
        if not self.payable:
            return None
        return cents(self.fee_schedule_exact) if self.capped else self.amount

    @property
    def cap_line(self) -> str:
        """The sentence every surface shows when the OPPS imaging cap lowered the amount."""
        if not self.capped:
            return ""
        return (
            f"OPPS imaging cap applied: the fee schedule amount ${self.fee_schedule_amount:,} is "
            f"capped at the OPPS amount ${self.amount:,} (Deficit Reduction Act, section 5102(b))."
        )


# Rounded to the cent, half up: once, where a person reads the figure.
cents = rounding.cents


def rvu_amount(
    *, work_rvu: Decimal, pe_rvu: Decimal, mp_rvu: Decimal, conversion_factor: Decimal, gpci: Gpci
) -> Decimal:
    """(work x work GPCI + PE x PE GPCI + MP x MP GPCI) x CF, unrounded."""
    return (work_rvu * gpci.work + pe_rvu * gpci.pe + mp_rvu * gpci.mp) * conversion_factor


def payment(
    *,
    status: str,
    work_rvu: Decimal,
    pe_rvu: Decimal,
    mp_rvu: Decimal,
    pe_na: bool,
    conversion_factor: Decimal,
    gpci: Gpci = NATIONAL,
    opps_pe_rvu: Decimal = ZERO,
    opps_mp_rvu: Decimal = ZERO,
) -> Amount:
    """Medicare's allowed amount in one setting (pass that setting's PE RVU and NA flag).

    Non-zero `opps_pe_rvu`/`opps_mp_rvu` (a global or TC row's OPPS columns, non-facility only)
    cap the amount at the OPPS amount worked with the same formula.
    """
    if status not in PRICED_STATUSES:
        return Amount(None, NO_NATIONAL_AMOUNT.get(status, f"Status {status}: no amount."))
    if pe_na:
        return Amount(None, "Not payable in this setting (NA in the fee schedule).")
    note = RESTRICTED_COVERAGE if status == "R" else None
    terms = {"work_rvu": work_rvu, "conversion_factor": conversion_factor, "gpci": gpci}
    exact = rvu_amount(pe_rvu=pe_rvu, mp_rvu=mp_rvu, **terms)
    if opps_pe_rvu or opps_mp_rvu:
        opps = rvu_amount(pe_rvu=opps_pe_rvu, mp_rvu=opps_mp_rvu, **terms)
        if opps < exact:
            return Amount(opps, fee_schedule_exact=exact, note=note)
    return Amount(exact, note=note)


def row_payment(row, setting: str, gpci: Gpci = NATIONAL) -> Amount:
    """`payment` for a PPRRVU row (any object with RelativeValue's field names) in a setting,
    "non_facility" or "facility", with the OPPS imaging cap where it applies."""
    capped = setting == "non_facility" and row.modifier in OPPS_CAPPED_MODIFIERS
    return payment(
        status=row.status,
        work_rvu=row.work_rvu,
        pe_rvu=getattr(row, f"{setting}_pe_rvu"),
        mp_rvu=row.mp_rvu,
        pe_na=getattr(row, f"{setting}_na"),
        conversion_factor=row.conversion_factor,
        gpci=gpci,
        opps_pe_rvu=row.opps_non_facility_pe_rvu if capped else ZERO,
        opps_mp_rvu=row.opps_mp_rvu if capped else ZERO,
    )


def opps_amount(
    row, gpci: Gpci = NATIONAL, *, professional_work_rvu: Decimal | None = None
) -> Decimal | None:
    """The OPPS amount of a global or TC row in the non-facility setting, unrounded; None when
    the row has no OPPS RVUs. It is what the imaging cap compares with, and for a carrier-priced
    (status C) row the most the contractor may pay (the OPPSCAP file lists it).

    A carrier-priced global row carries no work RVU of its own: CMS works its cap with the
    professional component's, which the caller passes as `professional_work_rvu`.
    """
    if row.modifier not in OPPS_CAPPED_MODIFIERS:
        return None
    if not (row.opps_non_facility_pe_rvu or row.opps_mp_rvu):
        return None
    work = row.work_rvu
    if row.modifier == "" and not work and professional_work_rvu is not None:
        work = professional_work_rvu
    return rvu_amount(
        work_rvu=work,
        pe_rvu=row.opps_non_facility_pe_rvu,
        mp_rvu=row.opps_mp_rvu,
        conversion_factor=row.conversion_factor,
        gpci=gpci,
    )
