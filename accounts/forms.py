from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import CareerStage, PracticeSetting, Specialty, User

STAGE_FIELDS = {
    CareerStage.MEDICAL_STUDENT: (),
    CareerStage.RESIDENT: ("pgy_year", "program"),
    CareerStage.ATTENDING: ("practice_setting", "dollars_per_wrvu", "annual_wrvu_target"),
}


class CareerFieldsMixin:
    """Requires the fields each career stage needs and clears those it does not use."""

    def clean(self):
        cleaned = super().clean()
        stage = cleaned.get("career_stage")
        for field in STAGE_FIELDS.get(stage, ()):
            if cleaned.get(field) in (None, ""):
                label = self.fields[field].label
                stage_label = CareerStage(stage).label.lower()
                self.add_error(field, f"{label} is required for a {stage_label}.")
        for other_stage, fields in STAGE_FIELDS.items():
            if other_stage != stage:
                for field in fields:
                    if field not in STAGE_FIELDS.get(stage, ()):
                        cleaned[field] = None if field in NULLABLE else ""
        return cleaned


NULLABLE = {"pgy_year", "dollars_per_wrvu", "annual_wrvu_target"}


class SignupForm(CareerFieldsMixin, AllauthSignupForm):
    career_stage = forms.ChoiceField(
        choices=CareerStage.choices, widget=forms.RadioSelect, label="I am a"
    )
    specialty = forms.ChoiceField(
        choices=[("", "Choose a specialty")] + Specialty.choices, required=False
    )
    pgy_year = User._meta.get_field("pgy_year").formfield(required=False)
    program = User._meta.get_field("program").formfield(required=False)
    practice_setting = forms.ChoiceField(
        choices=[("", "Choose a setting")] + PracticeSetting.choices,
        required=False,
        label="Practice setting",
    )
    dollars_per_wrvu = User._meta.get_field("dollars_per_wrvu").formfield(required=False)
    annual_wrvu_target = User._meta.get_field("annual_wrvu_target").formfield(required=False)

    field_order = [
        "career_stage",
        "email",
        "password1",
        "password2",
        "specialty",
        "pgy_year",
        "program",
        "practice_setting",
        "dollars_per_wrvu",
        "annual_wrvu_target",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stage = self.initial.get("career_stage")
        if stage:
            self.fields["career_stage"].initial = stage

    def save(self, request):
        user = super().save(request)
        return user
