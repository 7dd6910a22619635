"""Forms of the reports, backup and import pages."""

from django import forms

from tracking.models import ImportJob
from tracking.portability.imports import FIELD_HELP, FIELDS, REQUIRED


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="One procedure per row, with a header row. Up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ImportMappingForm(forms.Form):
    """A select per field, offering the file's columns."""

    def __init__(self, *args, job: ImportJob, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "(not in the file)"), *((h, h) for h in job.headers)]
        for name, label in FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=name in REQUIRED,
                initial=job.columns.get(name, ""),
                help_text=FIELD_HELP.get(name, ""),
            )


class ImportRunForm(forms.Form):
    mode = forms.ChoiceField(
        choices=ImportJob.Mode.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    skip_duplicates = forms.BooleanField(
        required=False,
        label="Skip rows that look like entries I already have",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class RestoreForm(forms.Form):
    file = forms.FileField(
        label="Backup file (.json)", widget=forms.ClearableFileInput(attrs={"accept": ".json"})
    )
    replace = forms.BooleanField(
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        label="Replace: delete my current entries, locations, templates and settings first",
    )
