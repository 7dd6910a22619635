"""Forms of the statements pages: upload, columns and period, filters of the results."""

from django import forms

from statements.explain import RULE_LABELS
from statements.models import Statement, StatementLine
from statements.reading import FIELD_HELP, FIELDS, REQUIRED

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label="Statement file",
        help_text="CSV, XLSX, or a PDF that holds a text table; up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.pdf"}),
    )


class StatementColumnsForm(forms.Form):
    """A select per field, offering the file's columns, and the period the statement covers."""

    period_from = forms.DateField(
        label="Period from", required=False, widget=DATE_INPUT, help_text="The first day."
    )
    period_to = forms.DateField(
        label="Period to",
        required=False,
        widget=DATE_INPUT,
        help_text="The last day. Leave both blank to take the statement's first and last dates.",
    )

    def __init__(self, *args, statement: Statement, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "(not in the file)"), *((h, h) for h in statement.headers)]
        for name, label in FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=name in REQUIRED,
                initial=statement.columns.get(name, ""),
                help_text=FIELD_HELP.get(name, ""),
            )
        self.fields["period_from"].initial = statement.period_from
        self.fields["period_to"].initial = statement.period_to

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if (start is None) != (end is None) and not self.errors:
            raise forms.ValidationError("Give the period's first and last days, or neither.")
        if start and end and start > end:
            self.add_error("period_to", "The period must end on or after the day it starts.")
        return data

    def columns(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in FIELDS}


class LineFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Every status"), *StatementLine.Status.choices],
    )
    rule = forms.ChoiceField(label="Reason", required=False)
    code = forms.CharField(label="Code", required=False, max_length=5)

    def __init__(self, *args, rules: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [
            ("", "Every reason"),
            *((rule, RULE_LABELS.get(rule, rule)) for rule in rules),
        ]
