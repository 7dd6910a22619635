"""Contract forms (the contract and its rows as formsets), and the compare and planner forms.

Formsets check their rows' own rules (tiers ascend) so every mistake shows at once; the service
checks everything again when it saves."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory

from contracts import engine
from contracts.models import (
    Contract,
    ContractBonus,
    ContractLocationRate,
    ContractStipend,
    ContractTier,
)
from contracts.services import ContractRows
from tracking.models import Location

NUMBER = {"inputmode": "decimal"}
MAX_COMPARED = 4
MIN_WEEKS, MAX_WEEKS = Decimal(1), Decimal(53)


def _number(step: str) -> forms.NumberInput:
    return forms.NumberInput(attrs={**NUMBER, "step": step, "min": "0"})


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "name",
            "status",
            "start_date",
            "end_date",
            "base_salary",
            "threshold_wrvu",
            "figure",
            "reconciliation",
            "draw",
            "shortfall",
        ]
        labels = {"name": "Name of the contract or offer"}
        widgets = {
            "status": forms.RadioSelect,
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "base_salary": _number("0.01"),
            "threshold_wrvu": _number("0.01"),
            "draw": _number("0.01"),
        }


class RowsFormSet(BaseInlineFormSet):
    """Blank rows are ignored; rows ticked "Remove" are left out."""

    def kept(self) -> list[dict]:
        fields = [name for name in self.form._meta.fields if name != self.fk.name]
        return [
            {name: form.cleaned_data[name] for name in fields}
            for form in self.forms
            if (form.instance.pk or form.has_changed())
            and form.cleaned_data
            and not form.cleaned_data.get("DELETE")
        ]


class TierRowsFormSet(RowsFormSet):
    def validate_unique(self):
        """Two tiers from the same wRVU are out of order: clean() says so in those words."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        tiers = tuple(engine.Tier(row["from_wrvu"], row["rate"]) for row in self.kept())
        messages = [
            m for field, m in engine.problems(engine.Terms(tiers=tiers)) if field == "tiers"
        ]
        if messages:
            raise ValidationError(messages)


class LocationRateForm(forms.ModelForm):
    class Meta:
        model = ContractLocationRate
        fields = ["location", "rate"]
        widgets = {"rate": _number("0.01")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.for_user(user)
        self.fields["location"].empty_label = "Choose a location"


def _formset(model, fields, extra, base=RowsFormSet, form=forms.ModelForm, widgets=None):
    return inlineformset_factory(
        Contract,
        model,
        form=form,
        formset=base,
        fields=fields,
        help_texts=dict.fromkeys(fields, ""),  # the group's legend and help say it once
        extra=extra,
        can_delete=True,
        max_num=10,
        validate_max=True,
        widgets=widgets or {},
    )


TierFormSet = _formset(
    ContractTier,
    ["from_wrvu", "rate"],
    3,
    base=TierRowsFormSet,
    widgets={"from_wrvu": _number("0.01"), "rate": _number("0.01")},
)
BonusFormSet = _formset(
    ContractBonus,
    ["name", "kind", "value", "achieved_percent"],
    2,
    widgets={"value": _number("0.01"), "achieved_percent": _number("0.01")},
)
StipendFormSet = _formset(
    ContractStipend,
    ["kind", "name", "annual_amount"],
    2,
    widgets={"annual_amount": _number("0.01")},
)
LocationRateFormSet = _formset(ContractLocationRate, ["location", "rate"], 2, form=LocationRateForm)

GROUPS = (
    ("tiers", TierFormSet),
    ("bonuses", BonusFormSet),
    ("stipends", StipendFormSet),
    ("location_rates", LocationRateFormSet),
)


class ContractForms:
    """The contract form and one formset per group of rows, bound together."""

    def __init__(self, *, user, instance: Contract, data=None):
        self.form = ContractForm(data, instance=instance)
        self.formsets = {
            name: formset(
                data,
                instance=instance,
                prefix=name,
                **({"form_kwargs": {"user": user}} if name == "location_rates" else {}),
            )
            for name, formset in GROUPS
        }

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), *(fs.is_valid() for fs in self.formsets.values())]
        return all(results)

    def rows(self) -> ContractRows:
        return ContractRows(**{name: fs.kept() for name, fs in self.formsets.items()})

    def add_errors(self, error: ValidationError) -> None:
        """The service's errors, on the field or group of rows they are about."""
        for name, messages in error.message_dict.items():
            if name in self.formsets:
                self.formsets[name]._non_form_errors.extend(messages)
            elif name in self.form.fields:
                self.form.add_error(name, messages)
            else:
                self.form.add_error(None, messages)


# --- Compare and plan ---------------------------------------------------------------------------


class ContractChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_status_display().split(':')[0].lower()})"


class CompareForm(forms.Form):
    contracts = ContractChoiceField(
        queryset=Contract.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=f"Two to {MAX_COMPARED}: your contract and the offers.",
    )
    annual_wrvu = forms.DecimalField(
        label="Annual wRVU",
        required=False,
        min_value=Decimal(0),
        max_value=engine.MAX_WRVU,
        decimal_places=2,
        widget=_number("1"),
        help_text="Leave blank to use your own volume from the last year of your log.",
    )
    mix_code = forms.ChoiceField(
        label="A different mix: procedure", required=False, choices=[("", "None")]
    )
    mix_cases = forms.IntegerField(
        label="Cases a month more (or fewer, e.g. -2)",
        required=False,
        min_value=-1000,
        max_value=1000,
        initial=4,
    )

    def __init__(self, *args, user, codes: list[engine.CodeMix], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contracts"].queryset = Contract.objects.for_user(user).with_terms()
        self.fields["mix_code"].choices = [("", "None")] + [
            (item.code, f"{item.code} {item.description}") for item in codes
        ]

    def clean_contracts(self):
        chosen = self.cleaned_data["contracts"]
        if not 2 <= len(chosen) <= MAX_COMPARED:
            raise ValidationError(f"Choose two to {MAX_COMPARED} contracts or offers.")
        return chosen


class PlannerForm(forms.Form):
    contract = forms.ModelChoiceField(queryset=Contract.objects.none(), empty_label=None)
    target_income = forms.DecimalField(
        label="Target income, $ a year",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100_000_000),
        decimal_places=2,
        widget=_number("1000"),
    )
    benchmark = forms.ChoiceField(
        label="Or a benchmark volume",
        required=False,
        help_text="Figures published for your specialty; each names its source.",
    )
    weeks = forms.DecimalField(
        label="Weeks worked a year",
        min_value=MIN_WEEKS,
        max_value=MAX_WEEKS,
        decimal_places=1,
        widget=_number("0.1"),
        help_text="From your fiscal year's working days less your days off; change it freely.",
    )

    def __init__(self, *args, user, benchmarks: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.for_user(user).with_terms()
        self.benchmarks = {item["key"]: item for item in benchmarks}
        self.fields["benchmark"].choices = [("", "None")] + [
            (item["key"], item["label"]) for item in benchmarks
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("target_income") and not cleaned.get("benchmark"):
            raise ValidationError("Enter a target income or choose a benchmark volume.")
        return cleaned
