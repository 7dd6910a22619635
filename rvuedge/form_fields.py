"""Template tags that render a bound form field's widget the site's way (`{% load form_fields %}`,
registered in settings.TEMPLATES): Bootstrap's classes, is-invalid when the field has errors,
and aria-describedby naming its help text (<auto_id>_helptext) and errors (<auto_id>_error).

templates/includes/field.html uses them for every field; a template that lays out choices
itself (sign-up's career-stage cards, the import's modes) calls bootstrap_choice directly.
templates/django/forms/widgets/select.html writes its options with select_options, and
templates/includes/field.html the whole field with form_field: Python rather than template
loops and includes, which cost milliseconds on a page of a dozen fields.
"""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

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


@register.simple_tag
def widget_attrs(attrs):
    """A widget's attributes, as django/forms/widgets/attrs.html writes them (False leaves a
    name out, True writes it alone), without a template loop (templates/django/forms/widgets)."""
    return mark_safe(_attributes(attrs))  # every name and value is escaped


def _attributes(attrs) -> str:
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def form_field(
    field,
    wrapper_class="",
    label_class="",
    label_hidden=False,
    widget_class="",
    size="",
    show_optional=False,
):
    """One form field, the one way the site renders them (templates/includes/field.html says
    how): label, widget, errors and help text."""
    if field.is_hidden:
        return str(field)
    label = conditional_escape(capfirst(field.label))
    if field.widget_type == "checkbox":
        body = format_html(
            '\n  <div class="form-check">\n    {}\n    <label class="form-check-label" for="{}">{}'
            "</label>\n  </div>\n  ",
            bootstrap_widget(field, widget_class),
            field.id_for_label,
            label,
        )
    elif field.widget_type in ("radioselect", "checkboxselectmultiple"):
        body = _choices(field, label, label_class, label_hidden)
    else:
        optional = (
            mark_safe(' <span class="text-body-secondary fw-normal small">(optional)</span>')
            if show_optional and not field.field.required
            else ""
        )
        body = format_html(
            '\n  <label class="{}" for="{}">{}{}</label>\n  {}\n  ',
            "visually-hidden" if label_hidden else (label_class or "form-label"),
            field.id_for_label,
            label,
            optional,
            bootstrap_widget(field, widget_class, size),
        )
    help_text = (
        format_html(
            '<div id="{}" class="form-text">{}</div>', help_id(field), mark_safe(field.help_text)
        )
        if field.help_text
        else ""
    )
    return format_html(
        '\n<div class="{}" data-field="{}">\n  {}\n  {}\n\n  {}\n</div>\n',
        wrapper_class or "mb-3",
        field.name,
        body,
        field_errors(field),
        help_text,
    )


def _choices(field, label, label_class, label_hidden):
    """A radio or checkbox list: a fieldset whose legend is the label."""
    choices = "".join(
        format_html(
            '\n    <div class="form-check">\n      {}\n      <label class="form-check-label"'
            ' for="{}">{}</label>\n    </div>\n    ',
            bootstrap_choice(field, choice),
            choice.id_for_label,
            choice.choice_label,
        )
        for choice in field
    )
    return format_html(
        '\n  <fieldset>\n    <legend class="{} fs-6{}">{}</legend>\n    {}\n  </fieldset>\n  ',
        label_class or "form-label",
        " visually-hidden" if label_hidden else "",
        label,
        mark_safe(choices),
    )


@register.simple_tag
def field_errors(field):
    """The field's errors, with the id its widget names in aria-describedby."""
    if not field.errors:
        return ""
    return format_html(
        '<div id="{}" class="invalid-feedback d-block">{}</div>',
        error_id(field),
        mark_safe("".join(format_html("<div>{}</div>", error) for error in field.errors)),
    )
