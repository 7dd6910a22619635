from django import forms
from django.utils import timezone

from codes.models import Release
from codes.modifiers import MODIFIERS
from codes.quick_entry import CODE_RE
from tracking.models import CreditPolicy, Location, LogTemplate, ProcedureLog, Role, Setting
from tracking.phi import identifier_warnings

NOTE_HELP = "Never enter patient information: no names, MRNs, dates of birth or phone numbers."


class EntryDetailsForm(forms.Form):
    """What the lines of one encounter share (quick entry and the form)."""

    date = forms.DateField(label="Date of service", widget=forms.DateInput(attrs={"type": "date"}))
    setting = forms.ChoiceField(choices=Setting.choices, initial=Setting.FACILITY)
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="No location"
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.PERFORMED, required=False)
    supervising_attending = forms.CharField(max_length=120, required=False)
    note = forms.CharField(
        max_length=500,
        required=False,
        help_text=NOTE_HELP,
        widget=forms.TextInput(attrs={"placeholder": "e.g. converted to open"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["location"].queryset = Location.objects.for_user(user)
        self.fields["date"].initial = timezone.localdate
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not user.is_trainee:
            self.fields["role"].widget = forms.HiddenInput()
            self.fields["supervising_attending"].widget = forms.HiddenInput()

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date of service cannot be in the future.")
        return date

    def clean_role(self):
        return self.cleaned_data.get("role") or Role.PERFORMED

    @property
    def note_warnings(self):
        return identifier_warnings(self.data.get("note", "")) if self.is_bound else []


class QuickEntryForm(EntryDetailsForm):
    text = forms.CharField(
        label="Procedures",
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 2,
                "autocomplete": "off",
                "spellcheck": "false",
                "autofocus": True,
                "placeholder": "99213 20610 x2 ; 99214 27447-50",
                "aria-autocomplete": "list",
                "aria-controls": "code-suggestions",
            }
        ),
        help_text="Codes with modifiers and units, separated by spaces, commas or new lines. "
        "Start the next patient with a blank line, ; or / (each patient is credited on its "
        "own). Enter saves; Shift+Enter starts a new line.",
        required=False,
    )
    per_patient = forms.BooleanField(
        label="Each line is a separate patient",
        required=False,
        help_text="For a list of single-code visits: every line is its own encounter.",
    )
    # The same entry as a form: pick a code, its modifiers and units, and add it as a line.
    line_code = forms.CharField(
        label="Code or words",
        max_length=40,
        required=False,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "knee replacement",
                "aria-describedby": "line-help",
                "aria-controls": "line-suggestions",
            }
        ),
    )
    line_modifiers = forms.MultipleChoiceField(
        label="Modifiers",
        required=False,
        choices=sorted((code, f"{code}: {label}") for code, label in MODIFIERS.items()),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    line_units = forms.IntegerField(
        label="Units", min_value=1, max_value=99, initial=1, required=False
    )
    field_order = [
        "text",
        "per_patient",
        "date",
        "setting",
        "location",
        "role",
        "supervising_attending",
        "note",
    ]

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("text") or "").strip()
        code = (cleaned.get("line_code") or "").strip().upper()
        if code and not CODE_RE.match(code):
            self.add_error("line_code", f"“{code}” is not a code: pick one from the suggestions.")
            code = ""
        if code:
            line = "-".join([code, *cleaned.get("line_modifiers", [])])
            units = cleaned.get("line_units") or 1
            text = f"{text} {line}{f' x{units}' if units != 1 else ''}".strip()
        if not text and "text" not in self.errors:
            self.add_error("text", "Type a code, or pick one below.")
        cleaned["text"] = text
        return cleaned


class LogEditForm(forms.ModelForm):
    class Meta:
        model = ProcedureLog
        fields = [
            "date",
            "modifiers",
            "units",
            "setting",
            "location",
            "role",
            "supervising_attending",
            "note",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"note": NOTE_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.for_user(self.instance.user)


class HistoryFilterForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    code = forms.CharField(required=False, max_length=5)
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="Any location"
    )
    setting = forms.ChoiceField(choices=[("", "Any setting"), *Setting.choices], required=False)
    role = forms.ChoiceField(choices=[("", "Any role"), *Role.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.for_user(user)

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        queryset = queryset.between(data.get("start"), data.get("end"))
        if data.get("code"):
            queryset = queryset.filter(code__code=data["code"].strip().upper())
        for name in ("location", "setting", "role"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        return queryset


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "default_setting", "dollars_per_wrvu"]


PERCENT_FIELDS = [
    "second_procedure_percent",
    "modifier_22_percent",
    "modifier_52_percent",
    "modifier_53_percent",
]
PERCENT_INPUT = forms.NumberInput(attrs={"min": 0, "max": 300, "step": "0.01"})


class CreditPolicyForm(forms.ModelForm):
    class Meta:
        model = CreditPolicy
        widgets = {name: PERCENT_INPUT for name in PERCENT_FIELDS}
        fields = [
            "multiple_procedure",
            "second_procedure_percent",
            "endoscopy",
            "bilateral",
            "assistant",
            "co_surgery",
            "split_care",
            "modifier_22_percent",
            "modifier_52_percent",
            "modifier_53_percent",
        ]


class LogTemplateForm(forms.ModelForm):
    lines = forms.CharField(
        label="Codes",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "27447-RT 20610"}),
        help_text="Typed as in quick entry.",
    )

    class Meta:
        model = LogTemplate
        fields = ["name"]


class RepriceForm(forms.Form):
    release = forms.ModelChoiceField(queryset=None, empty_label=None)
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = Release.objects.loaded()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", "The end date must be on or after the start date.")
        return cleaned
