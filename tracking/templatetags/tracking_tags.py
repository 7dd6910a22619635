from django import template

from rvuedge import words
from tracking.sections import sections_for

register = template.Library()


@register.filter
def change_of(period_totals, figure):
    """Percentage change of one figure against the previous period (None: nothing to compare)."""
    return period_totals.change(figure)


@register.filter
def counted(count, forms: str):
    """{{ n|counted:"row with an error,rows with errors" }}: "1 row with an error"."""
    singular, _, plural_form = forms.partition(",")
    return words.counted(int(count), singular, plural_form or None)


@register.simple_tag(takes_context=True)
def tracker_sections(context):
    """[(section, url, active)] of the sections other apps add to the tracker's menu."""
    request = context["request"]
    return [
        (section, section.url, request.path.startswith(section.url))
        for section in sections_for(request.user)
    ]
