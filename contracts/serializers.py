"""API shapes for contracts: the compensation calculator's request and answer, and a contract
with its rows. Money and wRVUs are decimal strings; answers are rounded to the cent."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts import engine
from contracts.models import (
    Contract,
    ContractBonus,
    ContractLocationRate,
    ContractStipend,
    ContractTier,
)
from rvuedge import rounding
from tracking.models import Location

ZERO = Decimal(0)
MAX_ROWS = 10


class DecimalInput(serializers.DecimalField):
    """A decimal read from a JSON string ("52.50") or number (52.5), answered as a string."""


class DecimalInputSchema(OpenApiSerializerFieldExtension):
    """Documents DecimalInput as what it reads: a decimal string, or a number in range."""

    target_class = DecimalInput

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        number: dict = {"type": "number"}
        if field.min_value is not None:
            number["minimum"] = field.min_value
        if field.max_value is not None:
            number["maximum"] = field.max_value
        return {"oneOf": [{"type": "string", "format": "decimal"}, number]}


class DecimalModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: DecimalInput,
    }


MONEY = {
    "max_digits": 12,
    "decimal_places": 2,
    "min_value": ZERO,
    "max_value": Decimal(100_000_000),
    "coerce_to_string": True,
}
WRVU = {"max_digits": 9, "decimal_places": 2, "min_value": ZERO, "max_value": Decimal(100000)}
RATE = {"max_digits": 8, "decimal_places": 2, "min_value": ZERO, "max_value": Decimal(10000)}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": ZERO, "max_value": Decimal(100)}


def cents(value: Decimal) -> str:
    return rounding.fixed(value, 2)


def problems_by_field(terms: engine.Terms) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, message in engine.problems(terms):
        errors.setdefault(name, []).append(message)
    return errors


# --- POST /api/v1/compensation/calculate ------------------------------------------------------


class TierSerializer(serializers.Serializer):
    from_wrvu = DecimalInput(**WRVU)
    rate = DecimalInput(**RATE)


class StipendSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(engine.STIPEND_KINDS), default="other")
    name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    amount = DecimalInput(help_text="Dollars a year.", **MONEY)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "decimal", "description": "Stipends a year, in all."},
            {"type": "number", "minimum": 0, "maximum": 100_000_000},
            {
                "type": "array",
                "maxItems": MAX_ROWS,
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": list(engine.STIPEND_KINDS)},
                        "name": {"type": "string", "maxLength": 60},
                        "amount": {
                            "oneOf": [
                                {"type": "string", "format": "decimal"},
                                {"type": "number", "minimum": 0, "maximum": 100_000_000},
                            ]
                        },
                    },
                    "required": ["amount"],
                },
            },
        ]
    }
)
class StipendsField(serializers.Field):
    """Stipends a year: one amount, or a list of {"kind", "name", "amount"}."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            rows = StipendSerializer(data=data, many=True, max_length=MAX_ROWS)
            rows.is_valid(raise_exception=True)
            return tuple(
                engine.Stipend(row["kind"], row["amount"], row["name"])
                for row in rows.validated_data
            )
        amount = DecimalInput(**MONEY).run_validation(data)
        return (engine.Stipend("other", amount, "Stipends"),) if amount else ()

    def to_representation(self, value):
        return [{"kind": s.kind, "name": s.name, "amount": cents(s.annual_amount)} for s in value]


class CalculatorContractSerializer(serializers.Serializer):
    base_salary = DecimalInput(default=ZERO, help_text="Dollars a year.", **MONEY)
    threshold_wrvu = DecimalInput(
        default=ZERO, help_text="wRVUs up to it earn nothing beyond base.", **WRVU
    )
    tiers = TierSerializer(
        many=True,
        default=list,
        max_length=MAX_ROWS,
        help_text="Marginal, in ascending from_wrvu; wRVUs below the first earn nothing "
        "beyond base.",
    )
    quality_bonus_percent = DecimalInput(
        default=ZERO, help_text="Percent of the base salary.", **PERCENT
    )
    stipends = StipendsField(default=tuple)


class CompensationCalculateSerializer(serializers.Serializer):
    """A year's pay under a contract at a volume (POST /api/v1/compensation/calculate)."""

    contract = CalculatorContractSerializer()
    wrvu = DecimalInput(
        max_digits=10,
        decimal_places=4,
        min_value=ZERO,
        max_value=engine.MAX_WRVU,
        help_text="wRVUs in the year.",
    )
    quality_achieved_percent = DecimalInput(default=Decimal(100), **PERCENT)

    def validate(self, attrs):
        terms = self.terms(attrs)
        errors = problems_by_field(terms)
        if errors:
            raise serializers.ValidationError({"contract": errors})
        return attrs

    @staticmethod
    def terms(attrs) -> engine.Terms:
        contract = attrs["contract"]
        bonuses = ()
        if contract["quality_bonus_percent"]:
            bonuses = (
                engine.Bonus(
                    "Quality bonus",
                    engine.PERCENT,
                    contract["quality_bonus_percent"],
                    attrs["quality_achieved_percent"],
                ),
            )
        return engine.Terms(
            name="The contract",
            base_salary=contract["base_salary"],
            threshold_wrvu=contract["threshold_wrvu"],
            tiers=tuple(engine.Tier(t["from_wrvu"], t["rate"]) for t in contract["tiers"]),
            bonuses=bonuses,
            stipends=contract["stipends"],
        )


class CompensationResultSerializer(serializers.Serializer):
    base = serializers.CharField(help_text="Decimal string, cents.")
    productivity = serializers.CharField()
    quality_bonus = serializers.CharField()
    stipends = serializers.CharField()
    total = serializers.CharField()
    effective_rate_per_wrvu = serializers.CharField(
        allow_null=True, help_text="Total over wRVUs, to the cent; null at 0 wRVU."
    )
    steps = serializers.ListField(child=serializers.CharField())


def result_data(pay: engine.Pay) -> dict:
    rate = pay.effective_rate
    return {
        "base": cents(pay.base),
        "productivity": cents(pay.productivity),
        "quality_bonus": cents(pay.quality_bonus),
        "stipends": cents(pay.stipends),
        "total": cents(pay.total),
        "effective_rate_per_wrvu": cents(rate) if rate is not None else None,
        "steps": pay.steps,
    }


# --- /api/v1/contracts/ -----------------------------------------------------------------------


class ContractTierSerializer(DecimalModelSerializer):
    class Meta:
        model = ContractTier
        fields = ["from_wrvu", "rate"]


class ContractBonusSerializer(DecimalModelSerializer):
    class Meta:
        model = ContractBonus
        fields = ["name", "kind", "value", "achieved_percent"]


class ContractStipendSerializer(DecimalModelSerializer):
    class Meta:
        model = ContractStipend
        fields = ["kind", "name", "annual_amount"]


class ContractLocationRateSerializer(DecimalModelSerializer):
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), help_text="The id of one of your locations."
    )

    class Meta:
        model = ContractLocationRate
        fields = ["location", "rate"]


ROWS = {
    "tiers": ContractTierSerializer,
    "bonuses": ContractBonusSerializer,
    "stipends": ContractStipendSerializer,
    "location_rates": ContractLocationRateSerializer,
}


class ContractSerializer(DecimalModelSerializer):
    """A contract or offer with its rows. Rows sent replace the contract's rows of that kind;
    rows left out of a PATCH stay as they were."""

    tiers = ContractTierSerializer(many=True, required=False, max_length=MAX_ROWS)
    bonuses = ContractBonusSerializer(many=True, required=False, max_length=MAX_ROWS)
    stipends = ContractStipendSerializer(many=True, required=False, max_length=MAX_ROWS)
    location_rates = ContractLocationRateSerializer(many=True, required=False, max_length=MAX_ROWS)

    class Meta:
        model = Contract
        fields = [
            "id",
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
            "tiers",
            "bonuses",
            "stipends",
            "location_rates",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            location = self.fields["location_rates"].child.fields["location"]
            location.queryset = Location.objects.for_user(request.user)
