import functools
from html import escape

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from codes.templatetags.codes_tags import wrvu
from rvuedge import words
from tracking import submissions
from tracking.models import ProcedureLog
from tracking.sections import sections_for
from tracking.selectors import warning_item

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


@register.simple_tag
def history_rows(logs):
    """The history table's rows (templates/tracking/history.html), written here rather than by a
    template loop (about 0.3 ms a row, most of the time of a page of 50), every value escaped as
    the template would (Django's escape is html.escape)."""
    return mark_safe("".join(_history_row(log) for log in logs))


@functools.cache
def _choice_labels(field: str) -> dict[str, str]:
    return {value: str(label) for value, label in ProcedureLog._meta.get_field(field).flatchoices}


def _label(field: str, value: str) -> str:
    """get_<field>_display(), without rebuilding the choices for every row."""
    return escape(_choice_labels(field).get(value, value))


def _history_row(log) -> str:
    modifiers = f"-{escape(log.modifiers)}" if log.modifiers else ""
    units = f" ×{log.units}" if log.units > 1 else ""
    warnings = "".join(
        f'<div class="text-warning-emphasis" data-rule="{escape(item["rule"])}">'
        f"⚠ {escape(item['message'])}</div>"
        for item in map(warning_item, log.warnings)  # a legacy warning is a message alone
    )
    release = escape(log.release.name)
    if log.release_flag:
        note = escape(log.release_note)
        flag = _label("release_flag", log.release_flag)
        release += (
            f' <span class="badge text-bg-warning" title="{note}">{flag}</span>'
            f'<span class="visually-hidden">: {note}</span>'
        )
    return (
        "\n  <tr>\n"
        f'    <td class="cell-check"><input class="form-check-input" type="checkbox" name="ids"'
        f' value="{log.pk}" aria-label="Select {escape(str(log))}"></td>\n'
        f'    <td class="text-nowrap">{log.date.isoformat()}</td>\n'
        f'    <td class="text-nowrap fw-semibold"><a href="{_entry_url(log.pk)}">'
        f"{escape(log.code.code)}{modifiers}</a>{units}</td>\n"
        f'    <td class="small cell-wide">{escape(log.code.short_descriptor)}{warnings}</td>\n'
        f'    <td class="small">{_label("setting", log.setting)}</td>\n'
        f'    <td class="small">{escape(str(log.location or ""))}</td>\n'
        f'    <td class="small" data-label="Role">{_label("role", log.role)}'
        "</td>\n"
        f'    <td class="num cell-figure" data-label="Raw">{escape(wrvu(log.raw))}</td>\n'
        f'    <td class="num cell-figure" data-label="Medicare-style">{escape(wrvu(log.medicare))}'
        "</td>\n"
        f'    <td class="num cell-figure" data-label="Policy">{escape(wrvu(log.policy))}</td>\n'
        f'    <td class="small cell-aside position-relative" data-label="Release">{release}</td>\n'
        "  </tr>"
    )


def _entry_url(pk: int) -> str:
    return escape(reverse("tracking:entry", args=[pk]))
