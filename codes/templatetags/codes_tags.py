"""Numbers on code pages as people read them: RVUs to two places, money with cents, and words
where a figure does not exist ("not applicable", never "None")."""

from decimal import Decimal, InvalidOperation

from django import template

from rvuedge import rounding

register = template.Library()

NOT_APPLICABLE = "not applicable"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def money(value: Decimal | None) -> str:
    """$1,159.35 for an amount; "Not payable" for None (an NA setting), never $0.00."""
    if value is None:
        return "Not payable"
    return rounding.money(value)


@register.filter
def rvu(value) -> str:
    """An RVU (or wRVU) figure to two places, half up: 12.0600000000000 reads 12.06; a missing
    figure reads "not applicable"."""
    number = _decimal(value)
    if number is None:
        return NOT_APPLICABLE
    return rounding.fixed(number, 2, grouped=True)


@register.filter
def gpci(value) -> str:
    """A geographic index to the three places CMS publishes (1.000)."""
    number = _decimal(value)
    return NOT_APPLICABLE if number is None else rounding.fixed(number, 3)


@register.filter
def wrvu(value) -> str:
    """A credited wRVU figure or total exactly as stored (rounding.credit_text): "0.385",
    "2.2875", "19.60"; never rounded again, so lines add up to their totals."""
    number = _decimal(value)
    if number is None:
        return NOT_APPLICABLE
    return rounding.credit_text(number)
