"""Live examples for the career-stage pages, computed from the current release.

Every figure comes from the imported files through codes.pricing (payment) and
codes.wrvu / codes.credit (wRVU credit); nothing here is typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from codes import releases
from codes.credit import Setting
from codes.models import RelativeValue, Release
from codes.selectors import localities_for_release
from codes.wrvu import LineSpec, PricedLine, price_lines

from .calculator import Quote, national_amounts, quote_row

STUDENT_CODES = ("99213", "99223")
RESIDENT_CODES = ("47562", "27447")
# One encounter: laparoscopic cholecystectomy with a laparoscopic appendectomy.
RESIDENT_ENCOUNTER = ("47562", "44970")
BILATERAL_EXAMPLE = LineSpec("27447", ("50",))
# A sample month of an office-based internist: (code, times billed).
ATTENDING_MONTH = (("99213", 70), ("99214", 55), ("99215", 12), ("99204", 10), ("G2211", 40))


@dataclass(frozen=True)
class LocalityExtreme:
    label: str
    locality: object
    quote: Quote


def _locality_extremes(release, code: str) -> list[LocalityExtreme]:
    """The localities paying the least and the most for the code in the office setting."""
    row = (
        RelativeValue.objects.filter(release=release, code__code=code, modifier="")
        .select_related("code")
        .first()
    )
    locality_set = localities_for_release(release)
    localities = list(locality_set.localities)
    if row is None or not localities:
        return []
    quotes = [
        (quote_row(row, release=release, locality_set=locality_set, locality=loc), loc)
        for loc in localities
    ]
    quotes = [(q, loc) for q, loc in quotes if q.non_facility.amount.payable]
    if not quotes:
        return []
    quotes.sort(key=lambda pair: pair[0].non_facility.amount.exact)
    (low, low_loc), (high, high_loc) = quotes[0], quotes[-1]
    return [LocalityExtreme("Lowest", low_loc, low), LocalityExtreme("Highest", high_loc, high)]


def student_examples(release=None) -> dict:
    release = release or releases.current()
    if release is None:
        return {}
    quotes = national_amounts(release, STUDENT_CODES)
    return {
        "release": release,
        "quotes": [quotes[code] for code in STUDENT_CODES if code in quotes],
        "extremes": _locality_extremes(release, "99213"),
        "locality_note": localities_for_release(release).note,
    }


@dataclass(frozen=True)
class EncounterExample:
    lines: list[PricedLine]
    raw: Decimal
    credited: Decimal


def _encounter(release, specs, setting=Setting.FACILITY) -> EncounterExample | None:
    try:
        lines = price_lines(release=release, setting=setting, specs=specs)
    except KeyError:
        return None
    return EncounterExample(
        lines=lines,
        raw=sum((line.medicare.raw for line in lines), Decimal(0)),
        credited=sum((line.medicare.credited for line in lines), Decimal(0)),
    )


def resident_examples(release=None) -> dict:
    release = release or releases.current()
    if release is None:
        return {}
    quotes = national_amounts(release, RESIDENT_CODES)
    return {
        "release": release,
        "quotes": [quotes[code] for code in RESIDENT_CODES if code in quotes],
        "encounter": _encounter(release, [LineSpec(code) for code in RESIDENT_ENCOUNTER]),
        "bilateral": _encounter(release, [BILATERAL_EXAMPLE]),
    }


@dataclass(frozen=True)
class MonthLine:
    code: str
    descriptor: str
    count: int
    work_rvu: Decimal
    wrvu: Decimal
    payment_each: Decimal | None
    payment: Decimal | None


@dataclass(frozen=True)
class SampleMonth:
    release: Release
    lines: list[MonthLine]

    @property
    def wrvu(self) -> Decimal:
        return sum((line.wrvu for line in self.lines), Decimal(0))

    @property
    def payment(self) -> Decimal:
        return sum((line.payment or Decimal(0) for line in self.lines), Decimal(0))


def sample_month(release, month=ATTENDING_MONTH) -> SampleMonth:
    """A month of office visits: wRVUs (work RVU x count, no GPCI) and national office amounts.

    Each visit's amount is rounded to cents as Medicare pays it, then multiplied by the count.
    """
    quotes = national_amounts(release, [code for code, _ in month])
    lines = []
    for code, count in month:
        quote = quotes.get(code)
        if quote is None:
            continue
        amount = quote.non_facility.amount.amount
        lines.append(
            MonthLine(
                code=code,
                descriptor=quote.row.code.short_descriptor,
                count=count,
                work_rvu=quote.row.work_rvu,
                wrvu=quote.row.work_rvu * count,
                payment_each=amount,
                payment=amount * count if amount is not None else None,
            )
        )
    return SampleMonth(release, lines)


def attending_examples(release=None) -> dict:
    release = release or releases.current()
    if release is None:
        return {}
    month = sample_month(release)
    previous = (
        Release.objects.loaded()
        .filter(is_qp=False)
        .exclude(pk=release.pk)
        .filter(year__lte=release.year)
        .first()
    )
    return {
        "release": release,
        "month": month,
        "previous_month": sample_month(previous) if previous else None,
    }
