import re

from django import forms

from codes.models import RelativeValue

from .calculator import SETTINGS

# "99213", "99213-26", "70450 TC": the code and, optionally, a modifier with its own row.
CODE_INPUT = re.compile(r"^\s*([A-Za-z0-9]{5})(?:\s*[-\s]\s*(26|TC|53))?\s*$", re.IGNORECASE)


class PaymentCalculatorForm(forms.Form):
    """Code, locality and setting for the Medicare payment calculator (read with GET)."""

    code = forms.CharField(
        label="CPT or HCPCS code",
        max_length=12,
        help_text="Five characters, e.g. 99213 or J3490. Add -26 or -TC for a component.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "99213"}
        ),
    )
    locality = forms.TypedChoiceField(
        label="Medicare locality",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="Leave on national for GPCIs of 1.000.",
    )
    setting = forms.ChoiceField(
        label="Setting", choices=list(SETTINGS.items()), initial="non_facility", required=False
    )

    def __init__(self, *args, release, localities, **kwargs):
        super().__init__(*args, **kwargs)
        self.release = release
        self.localities = {locality.pk: locality for locality in localities}
        self.fields["locality"].choices = [("", "National (no geographic adjustment)")] + [
            (locality.pk, f"{locality.state}: {locality.display_name} ({locality.mac}-"
             f"{locality.locality_number})")
            for locality in self.localities.values()
        ]  # fmt: skip

    def clean_code(self):
        match = CODE_INPUT.match(self.cleaned_data["code"])
        if not match:
            raise forms.ValidationError(
                "Enter a five-character code such as 99213 or J3490, optionally with -26 or -TC."
            )
        code, modifier = match.group(1).upper(), (match.group(2) or "").upper()
        if self.release is None:
            raise forms.ValidationError("No fee schedule has been imported yet.")
        row = (
            RelativeValue.objects.filter(release=self.release, code__code=code, modifier=modifier)
            .select_related("code")
            .first()
        )
        if row is None:
            if (
                modifier
                and RelativeValue.objects.filter(release=self.release, code__code=code).exists()
            ):
                raise forms.ValidationError(
                    f"{code} has no separate -{modifier} row in {self.release.name}; "
                    f"try {code} alone."
                )
            raise forms.ValidationError(f"{code} is not in the {self.release.name} fee schedule.")
        self.cleaned_data["row"] = row
        return f"{code}-{modifier}" if modifier else code

    def clean_setting(self):
        return self.cleaned_data.get("setting") or "non_facility"

    def clean(self):
        cleaned = super().clean()
        if "row" in self.cleaned_data:
            cleaned["row"] = self.cleaned_data["row"]
        pk = cleaned.get("locality")
        cleaned["locality_obj"] = self.localities.get(pk) if pk else None
        return cleaned
