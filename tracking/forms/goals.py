"""Goals & pay: the user's goal and pay settings, days off and pay tiers."""

import datetime as dt

from django import forms
from django.utils import timezone

from tracking.models import CompensationTier, DayOff, Preferences

MONTHS = [(month, dt.date(2000, month, 1).strftime("%B")) for month in range(1, 13)]


class PreferencesForm(forms.ModelForm):
    """Target, $ per wRVU, fiscal year and the figure that counts: every goal and pay setting,
    in one form. The view hands the cleaned data to services.preferences_update."""

    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in", coerce=int, choices=MONTHS
    )

    class Meta:
        model = Preferences
        fields = [
            "annual_wrvu_target",
            "dollars_per_wrvu",
            "fiscal_year_start_month",
            "goal_figure",
            "tracking_since",
            "carried_wrvu",
        ]
        labels = {
            "annual_wrvu_target": "Annual wRVU target",
            "goal_figure": "Count toward goal and pay",
            "tracking_since": "Tracking since",
            "carried_wrvu": "Done this year before tracking (wRVU)",
        }
        help_texts = {
            "dollars_per_wrvu": "Used when you have no tiers below.",
            "tracking_since": "Blank: the date of your first entry.",
            "carried_wrvu": "Counted only in the fiscal year you started tracking.",
        }
        widgets = {
            "annual_wrvu_target": forms.NumberInput(attrs={"step": "1", "inputmode": "decimal"}),
            "dollars_per_wrvu": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
            "tracking_since": forms.DateInput(attrs={"type": "date"}),
            "carried_wrvu": forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        }

    def clean_tracking_since(self):
        day = self.cleaned_data.get("tracking_since")
        if day and day > timezone.localdate():
            raise forms.ValidationError("Tracking cannot start in the future.")
        return day


class PayPromptForm(PreferencesForm):
    """The tracker's card after an attending's first entry: the same settings, target and rate
    only. Saving it empty is an error (the card has its own "Not now")."""

    fiscal_year_start_month = None

    class Meta(PreferencesForm.Meta):
        fields = ["annual_wrvu_target", "dollars_per_wrvu"]
        help_texts = {
            "annual_wrvu_target": "Your yearly work RVU goal, e.g. 5000.",
            "dollars_per_wrvu": "What your employer pays per work RVU, e.g. 52.00.",
        }

    def clean(self):
        cleaned = super().clean()
        if not self.errors and all(cleaned.get(name) is None for name in self.Meta.fields):
            raise forms.ValidationError(
                "Enter your target, your $ per wRVU or both, or choose “Not now”."
            )
        return cleaned


class DayOffForm(forms.ModelForm):
    class Meta:
        model = DayOff
        fields = ["date", "label"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class TierForm(forms.ModelForm):
    class Meta:
        model = CompensationTier
        fields = ["starts_at", "rate"]
