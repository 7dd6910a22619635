from decimal import Decimal

from django import template

from rvuedge import rounding

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    """$1,159.35 for an amount; "Not payable" for None (an NA setting), never $0.00."""
    if value is None:
        return "Not payable"
    return rounding.money(value)
