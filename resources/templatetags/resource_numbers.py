"""Number formatting for the calculator's arithmetic: exact figures without trailing zeros."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def exact(value, places=2):
    """A Decimal as written, trailing zeros dropped but at least `places` decimals: 1.30000 ->
    1.30, 88.952875 -> 88.952875. Nothing is rounded."""
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{value:f}"
    if "." not in text:
        return f"{text}.{'0' * int(places)}" if int(places) else text
    whole, fraction = text.split(".")
    fraction = fraction.rstrip("0").ljust(int(places), "0")
    return f"{whole}.{fraction}" if fraction else whole


@register.filter
def money(value):
    """$1,234.50 from a Decimal already rounded to cents."""
    if value is None:
        return ""
    cents = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${cents:,.2f}"
