from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import CareerStage, PracticeSetting, Specialty, User

# What each career stage must tell us. Fields of the other stages are cleared on save, so a
# profile never mixes a PGY year with a practice setting. An attending's target and pay rate
# are not asked here: the tracker asks for them after the first saved entry.
STAGE_FIELDS = {
    CareerStage.MEDICAL_STUDENT: (),
    CareerStage.RESIDENT: ("pgy_year", "program"),
    CareerStage.ATTENDING: ("practice_setting",),
}
ALL_STAGE_FIELDS = tuple(f for fields in STAGE_FIELDS.values() for f in fields)
PROFILE_FIELDS = ("career_stage", "specialty", *ALL_STAGE_FIELDS)
EMPTY_VALUE = {"pgy_year": None}

REQUIRED_MESSAGES = {
    "specialty": "Choose your specialty, or Other if it is not listed.",
    "pgy_year": "Enter your PGY year (1 to 10).",
    "program": "Enter your residency program.",
    "practice_setting": "Choose your practice setting.",
}


class CareerProfileForm(forms.Form):
    """The career-stage step, shared by sign-up and the settings page.

    Every stage field is optional to the browser; clean() requires what the chosen stage needs,
    so without JavaScript all fields show and the server still says which ones are missing.
    """

    career_stage = forms.ChoiceField(
        label="I am a",
        choices=CareerStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your career stage."},
    )
    specialty = forms.ChoiceField(
        choices=[("", "Choose a specialty"), *Specialty.choices],
        required=False,
        help_text="Required for residents and attendings; students may choose Undecided.",
    )
    pgy_year = forms.IntegerField(
        label="PGY year",
        required=False,
        min_value=1,
        max_value=10,
        help_text="Post-graduate year, 1 to 10.",
    )
    program = forms.CharField(
        label="Residency program",
        required=False,
        max_length=200,
        help_text="Program or institution name.",
    )
    practice_setting = forms.ChoiceField(
        label="Practice setting",
        choices=[("", "Choose a setting"), *PracticeSetting.choices],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("career_stage")
        if not stage:
            return cleaned
        needed = STAGE_FIELDS[stage]
        for field in needed:
            if cleaned.get(field) in (None, "") and field not in self.errors:
                self.add_error(field, REQUIRED_MESSAGES[field])
        specialty = cleaned.get("specialty")
        if stage != CareerStage.MEDICAL_STUDENT:
            if not specialty:
                self.add_error("specialty", REQUIRED_MESSAGES["specialty"])
            elif specialty == Specialty.UNDECIDED:
                self.add_error(
                    "specialty", "Undecided is for medical students; choose your specialty."
                )
        for field in ALL_STAGE_FIELDS:
            if field not in needed:
                cleaned[field] = EMPTY_VALUE.get(field, "")
        return cleaned

    def stage_field_groups(self):
        """(stage, bound fields) for each stage that has fields of its own, for templates."""
        return [
            (CareerStage(stage), [self[name] for name in names])
            for stage, names in STAGE_FIELDS.items()
            if names
        ]


class SignupForm(CareerProfileForm, AllauthSignupForm):
    field_order = ["career_stage", "email", "password1", "password2", *PROFILE_FIELDS[1:]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = "At least 8 characters; not a common password."
        for name, message in (
            ("email", "Enter your email address."),
            ("password1", "Choose a password."),
            ("password2", "Type the same password again."),
        ):
            self.fields[name].error_messages["required"] = message


class ProfileForm(CareerProfileForm, forms.ModelForm):
    """The settings page: who you are and where you are in your career."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", *PROFILE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["career_stage"].label = "Career stage"


class DeleteAccountForm(forms.Form):
    """Asks the person to type their email address or DELETE before their account goes."""

    confirmation = forms.CharField(
        label="Type your email address or DELETE to confirm",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"].strip()
        if typed != "DELETE" and typed.lower() != self.user.email.lower():
            raise forms.ValidationError(
                "That is neither your email address nor DELETE; nothing was deleted."
            )
        return typed


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=60,
        label="Token name",
        help_text='Where you will use it, e.g. "iPhone" or "spreadsheet script".',
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
