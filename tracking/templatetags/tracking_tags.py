from django import template
from django.utils.html import format_html

from rvuedge import words
from tracking import submissions
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


@register.simple_tag
def submission_token():
    """The one-time token of a form that saves (tracking.submissions): a repeat of the form
    gets the first answer and saves nothing."""
    return format_html(
        '<input type="hidden" name="{}" value="{}" autocomplete="off">',
        submissions.TOKEN_FIELD,
        submissions.new_token(),
    )


@register.simple_tag(takes_context=True)
def tracker_sections(context):
    """[(section, url, active)] of the sections other apps add to the tracker's menu."""
    request = context["request"]
    return [
        (section, section.url, request.path.startswith(section.url))
        for section in sections_for(request.user)
    ]
