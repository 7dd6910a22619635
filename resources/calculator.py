"""The Medicare payment calculator: a code's amount in a locality, with the arithmetic shown.

`breakdown` is pure: the figures come in and the amount comes from codes.pricing.payment, so
the page shows the same number as every other page. `quote_row` prices a fee schedule row in
both settings; `national_amounts` does it for a few codes at once (career pages).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from codes.models import Locality, RelativeValue, Release
from codes.pricing import NATIONAL, OPPS_CAPPED_MODIFIERS, ZERO, Amount, Gpci, payment
from codes.selectors import LocalitySet

SETTINGS = {"non_facility": "Non-facility (office)", "facility": "Facility (hospital, ASC)"}
SHORT_LABELS = {"non_facility": "office", "facility": "facility"}


@dataclass(frozen=True)
class Term:
    label: str
    rvu: Decimal
    gpci: Decimal

    @property
    def product(self) -> Decimal:
        return self.rvu * self.gpci


@dataclass(frozen=True)
class Breakdown:
    """One setting's payment and the arithmetic behind it."""

    setting: str
    terms: tuple[Term, ...]
    conversion_factor: Decimal
    amount: Amount
    pe_na: bool
    opps_terms: tuple[Term, ...] = ()  # the OPPS imaging cap's arithmetic, when it applied

    @property
    def label(self) -> str:
        return SETTINGS[self.setting]

    @property
    def short_label(self) -> str:
        return SHORT_LABELS[self.setting]

    @property
    def adjusted_rvus(self) -> Decimal:
        """Geographically adjusted total RVUs (unrounded, as the formula uses them)."""
        return sum((term.product for term in self.terms), Decimal(0))

    @property
    def opps_adjusted_rvus(self) -> Decimal:
        return sum((term.product for term in self.opps_terms), Decimal(0))


def breakdown(
    *,
    setting: str,
    status: str,
    work_rvu: Decimal,
    pe_rvu: Decimal,
    mp_rvu: Decimal,
    pe_na: bool,
    conversion_factor: Decimal,
    gpci: Gpci = NATIONAL,
    opps_pe_rvu: Decimal = ZERO,
    opps_mp_rvu: Decimal = ZERO,
) -> Breakdown:
    amount = payment(
        status=status,
        work_rvu=work_rvu,
        pe_rvu=pe_rvu,
        mp_rvu=mp_rvu,
        pe_na=pe_na,
        conversion_factor=conversion_factor,
        gpci=gpci,
        opps_pe_rvu=opps_pe_rvu,
        opps_mp_rvu=opps_mp_rvu,
    )
    terms = (
        Term("Work", work_rvu, gpci.work),
        Term("Practice expense", pe_rvu, gpci.pe),
        Term("Malpractice", mp_rvu, gpci.mp),
    )
    opps_terms = ()
    if amount.capped:
        opps_terms = (
            Term("Work", work_rvu, gpci.work),
            Term("OPPS practice expense", opps_pe_rvu, gpci.pe),
            Term("OPPS malpractice", opps_mp_rvu, gpci.mp),
        )
    return Breakdown(setting, terms, conversion_factor, amount, pe_na, opps_terms)


@dataclass(frozen=True)
class Quote:
    release: Release
    row: RelativeValue
    locality: Locality | None  # None: national (GPCIs of 1)
    locality_set: LocalitySet
    non_facility: Breakdown
    facility: Breakdown
    setting: str

    @property
    def chosen(self) -> Breakdown:
        return self.facility if self.setting == "facility" else self.non_facility

    @property
    def other(self) -> Breakdown:
        return self.non_facility if self.setting == "facility" else self.facility

    @property
    def explained(self) -> Breakdown:
        """The setting whose arithmetic is shown: the chosen one, or the other when only the
        other is payable (27447 in the office)."""
        if not self.chosen.amount.payable and self.other.amount.payable:
            return self.other
        return self.chosen

    @property
    def has_national_amount(self) -> bool:
        return self.non_facility.amount.payable or self.facility.amount.payable

    @property
    def no_amount_reason(self) -> str | None:
        """Why neither setting has an amount, when the status (not NA) is the cause."""
        if self.has_national_amount or (self.row.non_facility_na and self.row.facility_na):
            return None
        return self.non_facility.amount.reason


def gpci_of(locality: Locality | None) -> Gpci:
    if locality is None:
        return NATIONAL
    return Gpci(locality.work_gpci, locality.pe_gpci, locality.mp_gpci)


def quote_row(
    row: RelativeValue, *, release, locality_set, locality=None, setting="non_facility"
) -> Quote:
    gpci = gpci_of(locality)
    # The OPPS imaging cap applies to the non-facility amount of global and TC rows.
    capped = row.modifier in OPPS_CAPPED_MODIFIERS
    common = {
        "status": row.status,
        "work_rvu": row.work_rvu,
        "mp_rvu": row.mp_rvu,
        "conversion_factor": row.conversion_factor,
        "gpci": gpci,
    }
    return Quote(
        release=release,
        row=row,
        locality=locality,
        locality_set=locality_set,
        non_facility=breakdown(
            setting="non_facility",
            pe_rvu=row.non_facility_pe_rvu,
            pe_na=row.non_facility_na,
            opps_pe_rvu=row.opps_non_facility_pe_rvu if capped else ZERO,
            opps_mp_rvu=row.opps_mp_rvu if capped else ZERO,
            **common,
        ),
        facility=breakdown(
            setting="facility", pe_rvu=row.facility_pe_rvu, pe_na=row.facility_na, **common
        ),
        setting=setting,
    )


def national_amounts(release, codes) -> dict[str, Quote]:
    """National quotes for a few codes of a release (global rows), keyed by code."""
    rows = RelativeValue.objects.filter(
        release=release, code__code__in=list(codes), modifier=""
    ).select_related("code")
    locality_set = LocalitySet(release, None, Locality.objects.none())
    return {
        row.code.code: quote_row(row, release=release, locality_set=locality_set) for row in rows
    }
