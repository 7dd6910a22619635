"""Render Django form fields with Bootstrap 5 classes and accessible error/help links.

Used by our allauth element templates (templates/allauth/elements/) and our own account pages,
so every form on the account pages looks and reads the same.
"""

from django import template

register = template.Library()

_CLASS_BY_WIDGET = {
    "checkbox": "form-check-input",
    "radio": "form-check-input",
    "select": "form-select",
    "selectmultiple": "form-select",
}


def _described_by(bound_field):
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_error")
    return " ".join(ids)


@register.simple_tag
def bootstrap_widget(bound_field, extra_class=""):
    """The field's widget with Bootstrap's class, is-invalid and aria-describedby set."""
    widget_class = _CLASS_BY_WIDGET.get(bound_field.widget_type, "form-control")
    classes = [bound_field.field.widget.attrs.get("class", ""), widget_class, extra_class]
    if bound_field.errors:
        classes.append("is-invalid")
    attrs = {"class": " ".join(c for c in classes if c)}
    described_by = _described_by(bound_field)
    if described_by:
        attrs["aria-describedby"] = described_by
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
        described_by.append(f"{bound_field.auto_id}_error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    attrs["class"] = " ".join(c for c in classes if c)
    return subwidget.tag()
