"""Rounding, once, where a person reads a number: half up (ROUND_HALF_UP), as CMS rounds.

Decimal's own defaults round half to even: `value.quantize(...)` without a rounding mode, the
format specifications `f"{value:.2f}"`, and `round()`. Money and RVU figures go through these
functions instead, so 0.125 shows as 0.13 everywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

HALF_UP = ROUND_HALF_UP  # for APIs that take a rounding mode (DRF's DecimalField)
CENTS = Decimal("0.01")  # money, and wRVUs as people read them
CREDIT = Decimal("0.0001")  # credited wRVUs as stored and sent by the API
WHOLE = Decimal(1)


def to_places(value: Decimal, places: int) -> Decimal:
    """`value` rounded half up to `places` decimal places."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    """Money: to the cent."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def hundredths(value: Decimal) -> Decimal:
    """wRVUs as people read them: two places."""
    return value.quantize(CENTS, rounding=ROUND_HALF_UP)


def credit(value: Decimal) -> Decimal:
    """A credited wRVU figure: four places."""
    return value.quantize(CREDIT, rounding=ROUND_HALF_UP)


def whole(value: Decimal) -> int:
    """To the nearest whole number (percentiles, rank, tier thresholds)."""
    return int(value.quantize(WHOLE, rounding=ROUND_HALF_UP))


def fixed(value: Decimal, places: int = 2, *, grouped: bool = False) -> str:
    """The text of `value` with exactly `places` decimals ("1,234.50" when grouped)."""
    rounded = to_places(value, places)
    return f"{rounded:,f}" if grouped else f"{rounded:f}"


def credit_text(value: Decimal, *, grouped: bool = True) -> str:
    """A credited wRVU figure as stored, for people: its four places without the trailing zeros
    past two ("0.385", "2.2875", "19.60", "1,234.50"). Lines and totals are shown exactly, so the
    lines a person reads always add up to the total they read."""
    exact = credit(value)
    places = 4
    while places > 2 and exact == to_places(exact, places - 1):
        places -= 1
    return fixed(exact, places, grouped=grouped)


def money(value: Decimal) -> str:
    """$1,159.35."""
    return f"${fixed(value, 2, grouped=True)}"
