"""Shapes of the public fee schedule API (codes.api). Money and RVUs are strings with their
decimal places ("88.95"), never floats."""

from rest_framework import serializers

from rvuedge import rounding

from .models import Locality, Release


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong, naming the code, release or value.")


class ReleaseSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="Pages and prices use this release.")

    class Meta:
        model = Release
        fields = [
            "name",
            "year",
            "quarter",
            "is_qp",
            "current",
            "effective_on",
            "released_on",
            "conversion_factor",
            "anesthesia_conversion_factor",
            "code_count",
            "rvu_count",
            "locality_count",
        ]

    def get_current(self, release: Release) -> bool:
        return release.status == Release.Status.CURRENT


class LocalitySerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(
        help_text='"MAC-locality number", the value the price endpoint takes, e.g. "01112-05".'
    )

    class Meta:
        model = Locality
        fields = [
            "key",
            "mac",
            "locality_number",
            "state",
            "name",
            "fee_schedule_area",
            "counties",
            "work_gpci",
            "pe_gpci",
            "mp_gpci",
            "anesthesia_conversion_factor",
        ]

    def get_key(self, locality: Locality) -> str:
        return f"{locality.mac}-{locality.locality_number}"


class SearchResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    descriptor = serializers.CharField(
        help_text="CMS short descriptor (empty for CPT codes where AMA text may not be shown)."
    )
    long_descriptor = serializers.CharField(help_text="HCPCS Level II long descriptor, if any.")
    kind = serializers.CharField(source="kind_label", help_text="CPT Category I/II/III or HCPCS.")
    category = serializers.CharField()
    synonym = serializers.CharField(
        allow_null=True, help_text="The other name the query matched, when it was a synonym."
    )
    url = serializers.SerializerMethodField(help_text="The code's page.")
    api_url = serializers.SerializerMethodField(help_text="The code as JSON.")

    def get_url(self, hit) -> str:
        return self._absolute(hit.url)

    def get_api_url(self, hit) -> str:
        return self._absolute(f"/api/v1/codes/{hit.code}/")

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


def _decimal(max_digits: int, decimal_places: int, **kwargs):
    """A decimal sent as a string; any rounding to its places is half up."""
    return serializers.DecimalField(
        max_digits=max_digits, decimal_places=decimal_places, rounding=rounding.HALF_UP, **kwargs
    )


def _money(help_text: str):
    return _decimal(12, 2, allow_null=True, help_text=help_text)


class AmountSerializer(serializers.Serializer):
    amount = _money("Medicare allowed amount, rounded half up once; null when not payable.")
    payable = serializers.BooleanField()
    reason = serializers.CharField(allow_null=True, help_text="Why there is no amount, if none.")
    non_participating = _money("95% of the amount (non-participating provider).")
    limiting_charge = _money("115% of the non-participating amount.")


class PriceLocalitySerializer(serializers.Serializer):
    key = serializers.CharField()
    mac = serializers.CharField()
    locality_number = serializers.CharField()
    state = serializers.CharField()
    name = serializers.CharField()
    work_gpci = _decimal(6, 3)
    pe_gpci = _decimal(6, 3)
    mp_gpci = _decimal(6, 3)
    gpci_release = serializers.CharField(
        help_text="Release whose GPCI file the indices come from (an older one when the priced "
        "release has none of its own)."
    )


class RvusSerializer(serializers.Serializer):
    work = _decimal(8, 2)
    non_facility_pe = _decimal(8, 2)
    non_facility_na = serializers.BooleanField()
    facility_pe = _decimal(8, 2)
    facility_na = serializers.BooleanField()
    mp = _decimal(8, 2)


class PriceSerializer(serializers.Serializer):
    code = serializers.CharField()
    modifier = serializers.CharField(allow_null=True, help_text="26, TC or null (global).")
    release = serializers.CharField()
    status = serializers.CharField(help_text="PPRRVU status code (A active, E excluded, ...).")
    conversion_factor = _decimal(9, 4)
    locality = PriceLocalitySerializer(allow_null=True, help_text="null for national amounts.")
    rvus = RvusSerializer()
    non_facility = AmountSerializer(help_text="Office and other non-facility settings.")
    facility = AmountSerializer(help_text="Hospital, ASC and other facility settings.")


class CodePageSerializer(serializers.Serializer):
    """Documents codes.selectors.CodePage.to_dict(), which the detail endpoint returns as is."""

    code = serializers.CharField()
    kind = serializers.CharField(help_text="CPT Category I/II/III or HCPCS Level II.")
    category = serializers.CharField()
    descriptor = serializers.CharField()
    long_descriptor = serializers.CharField()
    release = serializers.CharField(allow_null=True)
    in_fee_schedule = serializers.BooleanField()
    status = serializers.CharField()
    status_description = serializers.CharField()
    add_on = serializers.BooleanField()
    rvus = serializers.ListField(
        child=serializers.DictField(),
        help_text="One row per modifier (global, 26, TC, 53): RVUs, NA flags and the national "
        "(and locality) amounts, each {amount, payable, reason, ...}.",
    )
    indicators = serializers.ListField(
        child=serializers.DictField(), help_text="Payment-policy indicators explained."
    )
    no_amount_reason = serializers.CharField(allow_null=True)
    how_paid_instead = serializers.CharField(allow_null=True)
    locality = serializers.DictField(allow_null=True)
    history = serializers.ListField(
        child=serializers.DictField(), help_text="Work RVU and payment in every release."
    )
    comparison = serializers.DictField(allow_null=True)
    related = serializers.ListField(child=serializers.DictField())
    content = serializers.DictField(
        help_text="Synonyms, summary, plain language, clinical context, billing notes, FAQ."
    )
