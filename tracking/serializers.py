from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from codes import releases
from codes.entry import release_codes
from codes.modifiers import VALID_MODIFIERS
from codes.quick_entry import MAX_MODIFIERS, MAX_UNITS
from rvuedge import rounding
from tracking.models import Favorite, Location, LogTemplate, ProcedureLog, Role, Setting
from tracking.services import MAX_LINES

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


class WarningSerializer(serializers.Serializer):
    """Something to know about an entry's credit: `rule` is stable for programs (a coding edit
    such as "global-package", "ptp-bundled", "mue-exceeded", or a payment rule such as
    "pctc.not_allowed"), `message` is for people."""

    rule = serializers.CharField()
    message = serializers.CharField()


class LogSerializer(serializers.ModelSerializer):
    """A procedure entry. Writes take the line fields; the credit is computed, never sent, with
    the imported release in effect on the date of service (`release_flag` and `release_note` say
    when another one priced it, and why)."""

    code = serializers.CharField(max_length=5)
    modifiers = ModifiersField()
    units = serializers.IntegerField(min_value=1, max_value=MAX_UNITS, default=1)
    warnings = WarningSerializer(many=True, read_only=True)
    date = serializers.DateField(default=timezone.localdate)
    setting = serializers.ChoiceField(choices=Setting.choices)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.PERFORMED)
    location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.none(), allow_null=True, required=False
    )
    encounter = serializers.IntegerField(source="encounter_id", read_only=True)
    release = serializers.CharField(
        source="release.name",
        read_only=True,
        help_text="The fee schedule release that priced the entry, e.g. RVU25D.",
    )
    release_flag = serializers.ChoiceField(
        choices=ProcedureLog._meta.get_field("release_flag").choices,
        read_only=True,
        help_text="Empty when `release` is the release in effect on the date of service. "
        "Otherwise why another one priced it: `same-year` (the one in effect is not imported; "
        "the nearest imported release of the same year), `before` (before every imported "
        "release: the oldest), `after` (no release of that year yet: the newest), `other-year` "
        "(no release of that year: the one in effect before), `chosen` (chosen in re-pricing).",
    )
    release_note = serializers.CharField(
        read_only=True,
        help_text='The reason for `release_flag`, in words, e.g. "RVU26A (in effect on '
        '2026-02-01) is not imported; priced with RVU26C, the nearest imported release of 2026."; '
        "empty when not flagged.",
    )
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
            "release_flag",
            "release_note",
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
        code = value.strip().upper()
        codes = self.context.get("release_codes")
        if codes is not None and code not in codes:
            # An edit is priced with the entry's own release (ProcedureLogViewSet's context).
            whose = ", the release that priced this entry" if self.instance is not None else ""
            release = self.context["release"].name
            raise serializers.ValidationError(f"{code} is not a code in {release}{whose}.")
        return code

    def validate_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError("The date of service cannot be in the future.")
        return value

    def validate(self, attrs):
        """The code must be in the release that will price the entry."""
        attrs = super().validate(attrs)
        release = self._pricing_release(attrs) if "code" in attrs else None
        if release is not None and attrs["code"] not in release_codes(release):
            raise serializers.ValidationError(
                {"code": f"{attrs['code']} is not a code in {release.name}."}
            )
        return attrs

    def _pricing_release(self, attrs):
        """An edit keeping its date keeps its release; otherwise the release of the date of
        service (remembered per date for the lines of one request). None before any import."""
        instance = self.instance if isinstance(self.instance, ProcedureLog) else None
        day = attrs.get("date", instance.date if instance else timezone.localdate())
        if instance is not None and day == instance.date:
            return instance.release
        chosen = self.context.setdefault("dated_releases", {})
        if day not in chosen:
            chosen[day] = releases.for_date(day)
        return chosen[day].release if chosen[day] else None


class ChangeSerializer(serializers.Serializer):
    """A change to an entry in words (tracking.selectors.change_rows): never internal fields."""

    changed_at = serializers.DateTimeField(source="change.changed_at")
    action = serializers.CharField(source="change.action")
    action_label = serializers.CharField(source="change.get_action_display")
    by = serializers.SerializerMethodField()
    entry = serializers.CharField(help_text='The entry as it was, e.g. "27447-50 ×2".')
    changes = serializers.ListField(child=serializers.CharField(), source="phrases")
    text = serializers.CharField(help_text="The changes as one sentence.")

    def get_by(self, row) -> str:
        request = self.context.get("request")
        if request is not None and row.change.user_id == request.user.pk:
            return "you"
        return str(row.change.user)


MAX_ENCOUNTERS = 100  # in one request


class EncountersSerializer(serializers.Serializer):
    """Several encounters in one request (a day's patients): each a list of lines, credited on
    its own. For the schema of POST /api/v1/logs/, which reads and answers this shape."""

    encounters = serializers.ListField(
        child=LogSerializer(many=True, allow_empty=False, max_length=MAX_LINES),
        min_length=1,
        max_length=MAX_ENCOUNTERS,
    )


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
    """POST /api/v1/logs/quick/: encounters typed as in quick entry ("99213 27447-50 x2"): a
    blank line, ";" or "/" starts the next encounter (patient), and with `per_patient` every
    line is its own encounter. Each encounter is credited on its own.

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
    per_patient = serializers.BooleanField(
        default=False, help_text="Every line of the text is its own encounter (patient)."
    )
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
