from datetime import timedelta

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from rvuedge.periods import academic_year_start

from .models import ApiToken, CareerStage, PracticeSetting, Specialty, User
from .services import api_tokens_revoke_all

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
# Worked out by clean() rather than asked: the year PGY-1 began, from the PGY year given.
DERIVED_FIELDS = ("residency_start_year",)
SAVED_FIELDS = (*PROFILE_FIELDS, *DERIVED_FIELDS)

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
        help_text="Your post-graduate year now, 1 to 10; it moves on by itself each July.",
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
        pgy = cleaned.get("pgy_year")
        cleaned["residency_start_year"] = (
            academic_year_start(timezone.localdate()) - pgy + 1 if pgy else None
        )
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

    def try_save(self, request):
        """Sign up, or, for a registered address, send that address an "already registered"
        email. Both answers must take as long, or the time tells who has an account: saving a
        new user hashes the password (the slow part), so the other path hashes it too."""
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)


class ProfileForm(CareerProfileForm, forms.ModelForm):
    """The settings page: who you are and where you are in your career."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", *PROFILE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["career_stage"].label = "Career stage"
        # The PGY year as of today (it moves on each July), not as it was first given.
        if self.instance.pk and self.instance.current_pgy:
            self.initial["pgy_year"] = self.instance.current_pgy

    def _post_clean(self):
        super()._post_clean()
        for field in DERIVED_FIELDS:
            if hasattr(self, "cleaned_data") and field in self.cleaned_data:
                setattr(self.instance, field, self.cleaned_data[field])


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


# How long a new API token lasts: the choices offered, in days ("" never expires).
TOKEN_EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=60,
        label="Token name",
        help_text='Where you will use it, e.g. "iPhone" or "spreadsheet script".',
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    expires_in = forms.TypedChoiceField(
        label="Expires after",
        choices=TOKEN_EXPIRY_CHOICES,
        initial="90",
        required=False,
        coerce=lambda days: timedelta(days=int(days)),
        empty_value=None,
        help_text="After this the token stops working; create a new one then.",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class RevokeApiTokensMixin:
    """Offers, ticked, to revoke the user's API tokens along with a new password: a password
    is often changed because it leaked, and a token made with it would outlive it."""

    def offer_token_revocation(self):
        count = ApiToken.objects.filter(user=self.user).count() if self.user else 0
        if count:
            self.fields["revoke_api_tokens"] = forms.BooleanField(
                label=f"Also revoke my {count} API token{'s' if count > 1 else ''}",
                help_text="Apps and scripts using them stop working until you give them a "
                "new token. Untick to keep them.",
                required=False,
                initial=True,
            )

    def save(self):
        super().save()
        if self.cleaned_data.get("revoke_api_tokens"):
            api_tokens_revoke_all(user=self.user)


class ChangePasswordForm(RevokeApiTokensMixin, AllauthChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_token_revocation()


class ResetPasswordKeyForm(RevokeApiTokensMixin, AllauthResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_token_revocation()
