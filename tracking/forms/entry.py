from django import forms
from django.utils import timezone

from codes.models import Release
from codes.modifiers import MODIFIERS, read_modifiers
from codes.quick_entry import CODE_RE, MAX_UNITS
from rvuedge import periods
from tracking.models import (
    CASE_LOG_ROLES,
    CreditPolicy,
    DailyCodeTotal,
    DailyTotal,
    Location,
    LogTemplate,
    ProcedureLog,
    Role,
    Setting,
)
from tracking.phi import identifier_warnings

NOTE_HELP = "Never enter patient information: no names, MRNs, dates of birth or phone numbers."
# The datalist of the attendings a trainee has entered before (templates/tracking/tracker.html).
ATTENDINGS_LIST_ID = "attending-names"
STUDENT_ROLES = (Role.OBSERVED, Role.ASSISTED, Role.PERFORMED)


class ListedChoices(forms.models.ModelChoiceIterator):
    """A user's few locations read in one plain query: ModelChoiceIterator reads them through
    a server-side cursor on PostgreSQL (declare, fetch, close: three round trips)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


MODIFIER_CHOICES = sorted((code, f"{code}: {label}") for code, label in MODIFIERS.items())


def modifier_choices():
    """Given as a function, so that each form's copy of the field does not copy the hundred
    choices (Django deep-copies a list of choices with every form)."""
    return MODIFIER_CHOICES


class LocationField(forms.ModelChoiceField):
    """One of the user's locations (the form sets the queryset to theirs)."""

    iterator = ListedChoices

    def __init__(self, *, empty_label):
        super().__init__(queryset=Location.objects.none(), required=False, empty_label=empty_label)


def _labelled(roles):
    return [(role.value, role.label) for role in roles]


def role_choices(user) -> list:
    """The roles quick entry offers: residents get the case-log roles first (and must choose,
    unless their previous case's role is the initial value); students what students do."""
    if user.is_resident:
        others = [role for role in Role if role not in CASE_LOG_ROLES]
        return [
            ("", "Choose your role"),
            ("Case log roles", _labelled(CASE_LOG_ROLES)),
            ("Other", _labelled(others)),
        ]
    if user.is_student:
        return _labelled(STUDENT_ROLES)
    return Role.choices


class EntryDetailsForm(forms.Form):
    """What the lines of one encounter share (quick entry and the form)."""

    date = forms.DateField(label="Date of service", widget=forms.DateInput(attrs={"type": "date"}))
    setting = forms.ChoiceField(choices=Setting.choices, initial=Setting.FACILITY)
    location = LocationField(empty_label="No location")
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
            return
        self.fields["role"].choices = role_choices(user)
        self.fields["role"].required = user.is_resident
        self.fields["role"].error_messages["required"] = "Choose your role in this case."
        self.fields["role"].initial = Role.OBSERVED if user.is_student else ""
        attending = self.fields["supervising_attending"]
        attending.widget.attrs.update({"list": ATTENDINGS_LIST_ID, "autocomplete": "off"})
        attending.help_text = "Remembered for your next case."

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date of service cannot be in the future.")
        return date

    def clean_role(self):
        default = Role.OBSERVED if self.user.is_student else Role.PERFORMED
        return self.cleaned_data.get("role") or default

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
        choices=modifier_choices,
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


class LogEditForm(forms.Form):
    """An entry's line and details; saving re-credits it with the release that priced it."""

    code = forms.CharField(
        label="Code",
        max_length=5,
        help_text="A code of the release that priced this entry.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "text-uppercase"}
        ),
    )
    modifiers = forms.CharField(
        label="Modifiers",
        max_length=20,
        required=False,
        help_text="Up to four, e.g. 50 or 26-LT.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    units = forms.IntegerField(label="Units", min_value=1, max_value=MAX_UNITS)
    date = forms.DateField(label="Date of service", widget=forms.DateInput(attrs={"type": "date"}))
    setting = forms.ChoiceField(choices=Setting.choices)
    location = LocationField(empty_label="No location")
    role = forms.ChoiceField(choices=Role.choices)
    supervising_attending = forms.CharField(max_length=120, required=False)
    note = forms.CharField(max_length=500, required=False, help_text=NOTE_HELP)

    def __init__(self, *args, log: ProcedureLog, **kwargs):
        initial = {
            "code": log.code.code,
            "modifiers": log.modifiers,
            "units": log.units,
            "date": log.date,
            "setting": log.setting,
            "location": log.location_id,
            "role": log.role,
            "supervising_attending": log.supervising_attending,
            "note": log.note,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.log = log
        self.fields["location"].queryset = Location.objects.for_user(log.user)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not log.user.is_trainee:
            self.fields["role"].widget = forms.HiddenInput()
            self.fields["supervising_attending"].widget = forms.HiddenInput()

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not CODE_RE.match(code):
            raise forms.ValidationError(f"“{code}” is not a code (five characters, e.g. 27447).")
        return code

    def clean_modifiers(self):
        modifiers, errors = read_modifiers(self.cleaned_data["modifiers"])
        if errors:
            raise forms.ValidationError(errors)
        return "-".join(modifiers)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("The date of service cannot be in the future.")
        return date

    @property
    def changes(self) -> dict:
        """The fields whose value differs from the entry's."""
        return {name: self.cleaned_data[name] for name in self.changed_data}

    @property
    def note_warnings(self):
        return identifier_warnings(self.data.get("note", "")) if self.is_bound else []


class HistoryFilterForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    code = forms.CharField(required=False, max_length=5)
    location = LocationField(empty_label="Any location")
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

    def daily_totals(self, user):
        """The daily totals of the entries `filter` selects: the day's totals (DailyTotal)
        when nothing is filtered, else the finer ones filtered the same way (DailyCodeTotal)."""
        if self.is_bound and self.is_valid() and any(self.cleaned_data.values()):
            return self.filter(DailyCodeTotal.objects.for_user(user))
        return DailyTotal.objects.for_user(user)


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "default_setting", "dollars_per_wrvu"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_trainee:
            del self.fields["dollars_per_wrvu"]  # pay is the attendings' (views/stages.py)


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
            "addon_without_primary",
            "duplicate_em",
            "global_package",
            "ptp_bundled",
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


class ReviewPeriodForm(forms.Form):
    """The period of the entries to review: this month so far unless asked otherwise."""

    MAX_DAYS = 366

    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = self.period(cleaned)
        if start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        elif (end - start).days >= self.MAX_DAYS:
            self.add_error("start", "Review at most a year at a time.")
        return cleaned

    def period(self, cleaned=None):
        """(start, end): the dates asked for, the month's first day and today when left out."""
        data = cleaned if cleaned is not None else getattr(self, "cleaned_data", {})
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or periods.month_start(min(end, today))
        return start, end
