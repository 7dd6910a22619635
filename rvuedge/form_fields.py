"""Template tags that render a bound form field's widget the site's way (`{% load form_fields %}`,
registered in settings.TEMPLATES): Bootstrap's classes, is-invalid when the field has errors,
and aria-describedby naming its help text (<auto_id>_helptext) and errors (<auto_id>_error).

templates/includes/field.html uses them for every field; a template that lays out choices
itself (sign-up's career-stage cards, the import's modes) calls bootstrap_choice directly.
templates/django/forms/widgets/select.html writes its options with select_options.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

_CLASS_BY_WIDGET = {
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
    "nullbooleanselect": "form-select",
}


def help_id(bound_field) -> str:
    return f"{bound_field.auto_id}_helptext"


def error_id(bound_field) -> str:
    return f"{bound_field.auto_id}_error"


def _described_by(bound_field) -> list[str]:
    """Ids the widget names: any the form gave it (a help text shared by several fields), then
    its help text and its errors."""
    ids = bound_field.field.widget.attrs.get("aria-describedby", "").split()
    if bound_field.help_text:
        ids.append(help_id(bound_field))
    if bound_field.errors:
        ids.append(error_id(bound_field))
    return ids


def _classes(*parts: str) -> str:
    seen = []
    for part in parts:
        for name in (part or "").split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


@register.simple_tag
def bootstrap_widget(bound_field, extra_class="", size=""):
    """The field's widget with Bootstrap's class (size "sm" or "lg" adds form-control-sm...),
    is-invalid and aria-describedby set."""
    base = _CLASS_BY_WIDGET.get(bound_field.widget_type, "form-control")
    sized = f"{base}-{size}" if size and base != "form-check-input" else ""
    classes = [bound_field.field.widget.attrs.get("class", ""), base, sized, extra_class]
    if bound_field.errors:
        classes.append("is-invalid")
    attrs = {"class": _classes(*classes)}
    described_by = _described_by(bound_field)
    if described_by:
        attrs["aria-describedby"] = _classes(*described_by)
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag
def bootstrap_choice(bound_field, subwidget, extra_class="", card=False):
    """One radio or checkbox of a multiple-choice field, as a form-check-input.

    card=True: the choice is a card whose label holds a title (<id>_title) and a description
    (<id>_desc); the input is named by the title alone and described by the description.
    """
    attrs = subwidget.data["attrs"]
    classes = [attrs.get("class", ""), "form-check-input", extra_class]
    described_by = []
    if card:
        attrs["aria-labelledby"] = f"{attrs['id']}_title"
        described_by.append(f"{attrs['id']}_desc")
    if bound_field.errors:
        classes.append("is-invalid")
        described_by.append(error_id(bound_field))
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    attrs["class"] = _classes(*classes)
    return subwidget.tag()


@register.simple_tag
def select_options(optgroups):
    """A select's options (the widget's optgroups), as Django's templates write them. Written
    here rather than by a template loop, which costs tens of microseconds an option: quick
    entry's hundred modifiers took several milliseconds of every page."""
    parts = []
    for group_name, group_choices, _ in optgroups:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            parts.append(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # every value above is escaped


def _attributes(attrs) -> str:
    """As django/forms/widgets/attrs.html: False leaves a name out, True writes it alone."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )
