"""API shapes of statements: the upload (multipart), a statement, and its reconciliation.
wRVUs are decimal strings with the four places they are stored with."""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from statements.models import Statement, StatementLine
from statements.reading import FIELDS
from tracking.serializers import FOUR_PLACES

TOTAL_PLACES = FOUR_PLACES | {"max_digits": 14}


@extend_schema_field(
    {"type": "object", "additionalProperties": {"type": "string"}, "example": {"wrvu": "Total"}}
)
class MappingField(serializers.Field):
    """Our field name -> the file's column header, as a JSON object (or a string holding one,
    as a multipart form sends it)."""

    default_error_messages = {
        # Braces doubled: DRF formats the message.
        "invalid": 'Give a JSON object of field name -> column header, e.g. {{"wrvu": "Total"}}.'
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except (ValueError, RecursionError):  # RecursionError: nested past Python's limit
                self.fail("invalid")
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            self.fail("invalid")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise serializers.ValidationError(
                f"Not a statement field: {', '.join(unknown)} (the fields are {', '.join(FIELDS)})."
            )
        return data

    def to_representation(self, value):
        return value


class StatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The statement: CSV, XLSX, or a PDF with a text table.")
    mapping = MappingField(
        required=False,
        help_text="Field name -> column header (date, code, modifiers, units, wrvu, encounter, "
        "provider, location), in place of what the headers suggest for those fields (an empty "
        "header leaves a field out); the others are guessed.",
    )
    period_from = serializers.DateField(required=False)
    period_to = serializers.DateField(required=False)

    def validate(self, attrs):
        start, end = attrs.get("period_from"), attrs.get("period_to")
        if (start is None) != (end is None):
            raise serializers.ValidationError("Give period_from and period_to, or neither.")
        if start and start > end:
            raise serializers.ValidationError({"period_to": "The period ends before it starts."})
        return attrs


class StatementSerializer(serializers.ModelSerializer):
    uploaded_at = serializers.DateTimeField(source="created_at", read_only=True)
    statement_wrvu = serializers.DecimalField(read_only=True, **TOTAL_PLACES)
    log_wrvu = serializers.DecimalField(read_only=True, **TOTAL_PLACES)
    owed_wrvu = serializers.DecimalField(read_only=True, **TOTAL_PLACES)
    owed_medicare_wrvu = serializers.DecimalField(read_only=True, **TOTAL_PLACES)

    class Meta:
        model = Statement
        fields = [
            "id", "filename", "file_type", "uploaded_at", "status", "message", "period_from",
            "period_to", "columns", "counts", "statement_wrvu", "log_wrvu", "owed_wrvu",
            "owed_medicare_wrvu",
        ]  # fmt: skip
        read_only_fields = fields


class SummarySerializer(serializers.Serializer):
    matched = serializers.IntegerField()
    differs = serializers.IntegerField()
    missing_from_statement = serializers.IntegerField()
    not_in_log = serializers.IntegerField()
    statement_wrvu = serializers.DecimalField(**TOTAL_PLACES)
    log_wrvu = serializers.DecimalField(**TOTAL_PLACES, help_text="Under your credit policy.")
    log_medicare_wrvu = serializers.DecimalField(**TOTAL_PLACES)
    owed_wrvu = serializers.DecimalField(
        **TOTAL_PLACES, help_text="The sum of the lines' owed_wrvu (your policy)."
    )
    owed_medicare_wrvu = serializers.DecimalField(**TOTAL_PLACES)


class StatementLineSerializer(serializers.ModelSerializer):
    modifiers = serializers.SerializerMethodField()
    date_off_by_one = serializers.BooleanField(
        source="off_by_one", read_only=True, help_text="Matched to an entry a day apart."
    )
    statement_wrvu = serializers.DecimalField(read_only=True, allow_null=True, **FOUR_PLACES)
    log_wrvu = serializers.DecimalField(read_only=True, allow_null=True, **FOUR_PLACES)
    log_medicare_wrvu = serializers.DecimalField(read_only=True, allow_null=True, **FOUR_PLACES)
    owed_wrvu = serializers.DecimalField(read_only=True, **FOUR_PLACES)

    class Meta:
        model = StatementLine
        fields = [
            "status", "date", "log_date", "date_off_by_one", "code", "modifiers", "units",
            "log_units",
            "statement_wrvu", "log_wrvu", "log_medicare_wrvu", "owed_wrvu", "rule", "reason",
            "note", "release", "statement_rows", "entries",
        ]  # fmt: skip
        read_only_fields = fields

    def get_modifiers(self, line) -> list[str]:
        return line.modifier_list


class ReconciliationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    summary = SummarySerializer()
    lines = StatementLineSerializer(many=True)


def reconciliation_data(statement: Statement) -> dict:
    counts = statement.counts
    return {
        "id": statement.pk,
        "status": statement.status,
        "period_from": statement.period_from,
        "period_to": statement.period_to,
        "summary": {
            "matched": counts.get("matched", 0),
            "differs": counts.get("differs", 0),
            "missing_from_statement": counts.get("missing_from_statement", 0),
            "not_in_log": counts.get("not_in_log", 0),
            "statement_wrvu": statement.statement_wrvu,
            "log_wrvu": statement.log_wrvu,
            "log_medicare_wrvu": statement.log_medicare_wrvu,
            "owed_wrvu": statement.owed_wrvu,
            "owed_medicare_wrvu": statement.owed_medicare_wrvu,
        },
        "lines": statement.lines.all(),
    }
