from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from codes.modifiers import VALID_MODIFIERS
from codes.quick_entry import MAX_MODIFIERS, MAX_UNITS
from rvuedge import rounding
from tracking.models import Favorite, Location, LogTemplate, ProcedureLog, Role, Setting

FOUR_PLACES = {
    "max_digits": 10,
    "decimal_places": 4,
    "coerce_to_string": True,
    "rounding": rounding.HALF_UP,
}


class ModifiersField(serializers.ListField):
    child = serializers.CharField(max_length=2)

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_MODIFIERS)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = [value.strip().upper() for value in super().to_internal_value(data)]
        unknown = [value for value in values if value not in VALID_MODIFIERS]
        if unknown:
            raise serializers.ValidationError(f"Not a modifier: {', '.join(unknown)}.")
        if len(set(values)) != len(values):
            raise serializers.ValidationError("A modifier is given twice.")
        return values


class LineSerializer(serializers.Serializer):
    """One line as typed by a client: code, modifiers, units."""

    code = serializers.CharField(max_length=5)
    modifiers = ModifiersField()
    units = serializers.IntegerField(min_value=1, max_value=MAX_UNITS, default=1)

    def validate_code(self, value):
        code = value.strip().upper()
        codes = self.context.get("release_codes")
        if codes is not None and code not in codes:
            release = self.context["release"].name
            raise serializers.ValidationError(f"{code} is not a code in {release}.")
        return code


class LogSerializer(serializers.ModelSerializer):
    """A procedure entry. Writes take the line fields; the credit is computed, never sent."""

    code = serializers.CharField(max_length=5)
    modifiers = ModifiersField()
    units = serializers.IntegerField(min_value=1, max_value=MAX_UNITS, default=1)
    date = serializers.DateField(default=timezone.localdate)
    setting = serializers.ChoiceField(choices=Setting.choices)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.PERFORMED)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), allow_null=True, required=False
    )
    encounter = serializers.IntegerField(source="encounter_id", read_only=True)
    release = serializers.CharField(source="release.name", read_only=True)
    raw = serializers.DecimalField(read_only=True, **FOUR_PLACES)
    medicare = serializers.DecimalField(read_only=True, **FOUR_PLACES)
    policy = serializers.DecimalField(read_only=True, **FOUR_PLACES)
    work_rvu = serializers.DecimalField(read_only=True, **FOUR_PLACES)

    class Meta:
        model = ProcedureLog
        fields = [
            "id",
            "encounter",
            "date",
            "code",
            "modifiers",
            "units",
            "setting",
            "location",
            "role",
            "supervising_attending",
            "note",
            "release",
            "work_rvu",
            "raw",
            "medicare",
            "policy",
            "explanation",
            "warnings",
        ]
        read_only_fields = ["explanation", "warnings"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["location"].queryset = Location.objects.for_user(request.user)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["code"] = instance.code.code
        data["modifiers"] = instance.modifier_list
        return data

    def validate_code(self, value):
        return LineSerializer.validate_code(self, value)

    def validate_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The date of service cannot be in the future.")
        return value


class FavoriteSerializer(serializers.ModelSerializer):
    code = serializers.CharField(max_length=5)

    class Meta:
        model = Favorite
        fields = ["id", "code", "created_at"]
        read_only_fields = ["created_at"]

    def to_representation(self, instance):
        return {"id": instance.pk, "code": instance.code.code, "created_at": instance.created_at}


class TemplateLineSerializer(LineSerializer):
    pass


class TemplateSerializer(serializers.ModelSerializer):
    lines = TemplateLineSerializer(many=True)

    class Meta:
        model = LogTemplate
        fields = ["id", "name", "lines"]

    def to_representation(self, instance):
        return {
            "id": instance.pk,
            "name": instance.name,
            "lines": [
                {
                    "code": line.code.code,
                    "modifiers": [m for m in line.modifiers.split("-") if m],
                    "units": line.units,
                }
                for line in instance.lines.all()
            ],
        }

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError("Add at least one line.")
        return value


class QuickEntrySerializer(serializers.Serializer):
    """POST /api/v1/logs/quick/: one encounter typed as in quick entry ("99213 27447-50 x2").

    Codes typed without separators that read as a high-value procedure are saved only with
    `confirm: true` (the 400 says which reading to check)."""

    text = serializers.CharField(max_length=2000)
    date = serializers.DateField(default=timezone.localdate)
    setting = serializers.ChoiceField(choices=Setting.choices)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), allow_null=True, required=False
    )
    role = serializers.ChoiceField(choices=Role.choices, default=Role.PERFORMED)
    supervising_attending = serializers.CharField(max_length=120, required=False, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    confirm = serializers.BooleanField(default=False)
    confirm_duplicate = serializers.BooleanField(
        default=False,
        help_text="Log the lines even when an encounter with the same date, location, codes and "
        "modifiers is already logged (else 409).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["location"].queryset = Location.objects.for_user(request.user)

    def validate_date(self, value):
        return LogSerializer.validate_date(self, value)


class CalculateSerializer(serializers.Serializer):
    """POST /api/v1/wrvu/calculate: the lines of one encounter."""

    release = serializers.CharField(required=False, max_length=16)
    setting = serializers.ChoiceField(choices=Setting.choices, default=Setting.FACILITY)
    lines = LineSerializer(many=True, allow_empty=False, max_length=50)


def four(value: Decimal) -> str:
    return rounding.fixed(value, 4)
