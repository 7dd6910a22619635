from django import template

register = template.Library()


@register.filter
def change_of(period_totals, figure):
    """Percentage change of one figure against the previous period (None: nothing to compare)."""
    return period_totals.change(figure)
