"""Shapes of the public fee schedule API (codes.api). Money and RVUs are strings with their
decimal places ("88.95"), never floats."""

from decimal import Decimal

from rest_framework import serializers

from rvuedge import rounding

from .localities import IndexSource, index_source
from .models import Locality, Release

GPCI_RELEASE_HELP = (
    "Release whose locality files (GPCI, LOCCO, ANES) the indices come from: the priced "
    "release's own, else its calendar year's (RVU26C uses CY2026's from RVU26A)."
)
GPCI_BORROWED_HELP = (
    "True when the indices are another calendar year's because no locality file of the priced "
    "release's year has been imported; gpci_note then says so in words."
)


def _plain(value: Decimal | None) -> str | None:
    """A factor as the file prints it ("20.49754", not "20.497540"); never a float."""
    return None if value is None else format(value.normalize(), "f")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What was wrong, naming the code, release or value.")


class ReleaseSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField(help_text="Pages and prices use this release.")
    anesthesia_conversion_factor = serializers.SerializerMethodField(
        help_text="National anesthesia conversion factor of the indices' year (the release's own "
        "ANES file, else its year's; the QP one for a QP release)."
    )
    gpci_release = serializers.SerializerMethodField(help_text=GPCI_RELEASE_HELP)
    gpci_borrowed = serializers.SerializerMethodField(help_text=GPCI_BORROWED_HELP)

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
            "gpci_release",
            "gpci_borrowed",
            "code_count",
            "rvu_count",
            "locality_count",
        ]

    def get_current(self, release: Release) -> bool:
        return release.status == Release.Status.CURRENT

    def _origin(self, release: Release) -> IndexSource:
        # One query for the whole list: the context is shared by every row.
        if "locality_sources" not in self.context:
            self.context["locality_sources"] = list(Release.objects.locality_sources())
        return index_source(release, self.context["locality_sources"])

    def get_anesthesia_conversion_factor(self, release: Release) -> str | None:
        source = self._origin(release).source or release
        if release.is_qp and source.qp_anesthesia_conversion_factor is not None:
            return _plain(source.qp_anesthesia_conversion_factor)
        return _plain(source.anesthesia_conversion_factor)

    def get_gpci_release(self, release: Release) -> str | None:
        source = self._origin(release).source
        return source.name if source else None

    def get_gpci_borrowed(self, release: Release) -> bool:
        return self._origin(release).borrowed


LOCALITY_NAME_HELP = 'As CMS\'s GPCI file spells it, e.g. "LOS ANGELES-LONG BEACH-ANAHEIM ...".'
DISPLAY_NAME_HELP = 'The name in its proper case, e.g. "Los Angeles-Long Beach-Anaheim ...".'


class LocalitySerializer(serializers.ModelSerializer):
    """A locality as the asked release is priced with it; `locality_set` comes in the context."""

    key = serializers.SerializerMethodField(
        help_text='"MAC-locality number", the value the price endpoint takes, e.g. "01112-05".'
    )
    anesthesia_conversion_factor = serializers.SerializerMethodField(
        help_text="The locality's anesthesia conversion factor of the indices' year (the QP one "
        "for a QP release)."
    )
    gpci_release = serializers.SerializerMethodField(help_text=GPCI_RELEASE_HELP)
    gpci_year = serializers.SerializerMethodField(help_text="Calendar year of the indices.")
    gpci_borrowed = serializers.SerializerMethodField(help_text=GPCI_BORROWED_HELP)
    name = serializers.CharField(help_text=LOCALITY_NAME_HELP)
    display_name = serializers.CharField(read_only=True, help_text=DISPLAY_NAME_HELP)
    fee_schedule_area = serializers.CharField(help_text="As CMS's LOCCO file spells it.")
    display_area = serializers.CharField(
        read_only=True, help_text="The fee schedule area in its proper case."
    )

    class Meta:
        model = Locality
        fields = [
            "key",
            "mac",
            "locality_number",
            "state",
            "name",
            "display_name",
            "fee_schedule_area",
            "display_area",
            "counties",
            "work_gpci",
            "work_gpci_without_floor",
            "pe_gpci",
            "mp_gpci",
            "anesthesia_conversion_factor",
            "gpci_release",
            "gpci_year",
            "gpci_borrowed",
        ]

    def get_key(self, locality: Locality) -> str:
        return f"{locality.mac}-{locality.locality_number}"

    def _origin(self):
        locality_set = self.context.get("locality_set")
        return locality_set.origin if locality_set else None

    def get_anesthesia_conversion_factor(self, locality: Locality) -> str | None:
        origin = self._origin()
        value = locality.anesthesia_cf(qp=bool(origin and origin.release.is_qp))
        return None if value is None else str(value)  # two places, as the ANES file has them

    def get_gpci_release(self, locality: Locality) -> str:
        return locality.release.name

    def get_gpci_year(self, locality: Locality) -> int:
        return locality.release.year

    def get_gpci_borrowed(self, locality: Locality) -> bool:
        origin = self._origin()
        return bool(origin and origin.borrowed)


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
    non_participating = _money("95% of the rounded amount (non-participating provider).")
    limiting_charge = _money("109.25% of the rounded amount (115% of the non-participating).")
    fee_schedule_amount = _money(
        "The fee schedule amount before the OPPS imaging cap (equal to amount when no cap applied)."
    )
    opps_cap_applied = serializers.BooleanField(
        help_text="The OPPS imaging cap (DRA 2005 s. 5102(b)) lowered the non-facility amount of "
        "this global or TC row to the OPPS amount."
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Sentences to show with the amount: the cap with both amounts, restricted "
        "coverage (status R).",
    )


class PriceLocalitySerializer(serializers.Serializer):
    key = serializers.CharField()
    mac = serializers.CharField()
    locality_number = serializers.CharField()
    state = serializers.CharField()
    name = serializers.CharField(help_text=LOCALITY_NAME_HELP)
    display_name = serializers.CharField(help_text=DISPLAY_NAME_HELP)
    work_gpci = _decimal(6, 3)
    pe_gpci = _decimal(6, 3)
    mp_gpci = _decimal(6, 3)
    work_gpci_without_floor = _decimal(
        6,
        3,
        allow_null=True,
        help_text="CY2026 January file only: the work GPCI without the 1.0 floor (not in force).",
    )
    anesthesia_conversion_factor = serializers.DecimalField(
        max_digits=10, decimal_places=2, allow_null=True
    )
    gpci_release = serializers.CharField(help_text=GPCI_RELEASE_HELP)
    gpci_year = serializers.IntegerField(help_text="Calendar year of the indices.")
    gpci_borrowed = serializers.BooleanField(help_text=GPCI_BORROWED_HELP)
    gpci_note = serializers.CharField(allow_null=True, help_text="Said when gpci_borrowed.")


class RvusSerializer(serializers.Serializer):
    work = _decimal(8, 2)
    non_facility_pe = _decimal(8, 2)
    non_facility_na = serializers.BooleanField()
    facility_pe = _decimal(8, 2)
    facility_na = serializers.BooleanField()
    mp = _decimal(8, 2)
    opps_non_facility_pe = _decimal(8, 2, help_text="PE used for the OPPS payment amount.")
    opps_mp = _decimal(8, 2, help_text="MP used for the OPPS payment amount.")


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


# --- NCCI edits on a code (codes.ncci_page.CodingEdits.as_dict) ---------------------------


class _EditSetFields(serializers.Serializer):
    name = serializers.CharField(help_text='The kind of edit, e.g. "Medically Unlikely Edits".')
    version = serializers.CharField(help_text='The imported set\'s version, e.g. "2026Q2".')
    effective_on = serializers.DateField(help_text="The set's first day in force.")


class MueLimitSerializer(serializers.Serializer):
    units = serializers.IntegerField(help_text="Most units Medicare pays (per line or per day).")
    adjudication_indicator = serializers.IntegerField(
        min_value=1,
        max_value=3,
        help_text="MAI: 1 per claim line, 2 per day (policy), 3 per day (clinical).",
    )
    adjudication = serializers.CharField(help_text="The indicator in words.")
    per_day = serializers.BooleanField(help_text="Units of every line of the day count together.")
    meaning = serializers.CharField(help_text="What the limit means for the units billed.")
    rationale = serializers.CharField(allow_null=True, help_text="CMS's reason for the limit.")


class NcciMueSerializer(_EditSetFields):
    limit = MueLimitSerializer(
        allow_null=True, help_text="null: the set publishes no limit for the code."
    )


class LinkedCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    descriptor = serializers.CharField(
        allow_null=True,
        help_text="Short descriptor when the code is in the fee schedule (null when unknown or "
        "when AMA text may not be shown).",
    )
    has_page = serializers.BooleanField(help_text="The code has a page (and an API entry) here.")


class AddOnPairSerializer(LinkedCodeSerializer):
    edit_type = serializers.IntegerField(
        min_value=1,
        max_value=3,
        help_text="1 only with the listed primaries, 2 contractor-defined, 3 listed or others.",
    )
    effective_on = serializers.DateField(allow_null=True)
    notes = serializers.CharField(allow_null=True, help_text="CMS's special instruction notes.")


class NcciAddOnSerializer(_EditSetFields):
    primaries = AddOnPairSerializer(
        many=True, help_text="When the code is an add-on: its listed primary codes."
    )
    contractor_defined = serializers.BooleanField(
        help_text="The Medicare contractor defines (some of) the add-on's primary codes."
    )
    primary_rule = serializers.CharField(
        allow_null=True, help_text="How the add-on's primary codes are set, in words."
    )
    addons = AddOnPairSerializer(
        many=True, help_text="When the code is a primary code: the add-ons reported with it."
    )


class PtpPairSerializer(serializers.Serializer):
    column1 = serializers.CharField()
    column2 = serializers.CharField(help_text="Not paid with column 1 on the same day.")
    other = LinkedCodeSerializer(help_text="The code paired with the asked one.")
    modifier_indicator = serializers.ChoiceField(choices=[0, 1, 9])
    modifier_allowed = serializers.BooleanField(
        help_text="A modifier such as 59 or XE/XS/XP/XU may bypass the edit (indicator 1)."
    )
    modifier = serializers.CharField(help_text="The indicator in words.")
    effective_on = serializers.DateField()
    rationale = serializers.CharField(allow_null=True)


class NcciPtpSerializer(_EditSetFields):
    bundled_into = PtpPairSerializer(
        many=True, help_text="Pairs in which the code is column 2 (the first 50)."
    )
    bundled_into_count = serializers.IntegerField(help_text="All such pairs.")
    bundles = PtpPairSerializer(
        many=True, help_text="Pairs in which the code is column 1 (the first 50)."
    )
    bundles_count = serializers.IntegerField(help_text="All such pairs.")


class NcciSerializer(serializers.Serializer):
    """The code's NCCI edits in force today; a kind not imported is null (not "no edit")."""

    mue = NcciMueSerializer(allow_null=True, help_text="Medically Unlikely Edits.")
    add_on = NcciAddOnSerializer(allow_null=True, help_text="Add-on code edits.")
    ptp = NcciPtpSerializer(
        allow_null=True, help_text="Procedure-to-procedure edits (null until imported)."
    )


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
    locality = serializers.DictField(
        allow_null=True,
        help_text="The chosen locality (name as CMS spells it, display_name in its proper case), "
        "its GPCIs and anesthesia CF, and where the indices come from (gpci_release, gpci_year, "
        "gpci_borrowed, gpci_note).",
    )
    locality_note = serializers.CharField(
        allow_null=True,
        help_text="Said when the release's localities are another year's (or there are none).",
    )
    carrier_price_cap = serializers.DictField(
        allow_null=True,
        help_text="Carrier-priced (status C) imaging: the OPPS amounts the contractor's office "
        "price may not exceed, {national, locality}.",
    )
    history = serializers.ListField(
        child=serializers.DictField(), help_text="Work RVU and payment in every release."
    )
    comparison = serializers.DictField(allow_null=True)
    related = serializers.ListField(
        child=serializers.DictField(),
        help_text="Clinically related codes {code, descriptor, work_rvu, relation}: curated ones "
        "first, then add-ons or primaries, catch-all siblings and codes of the same family.",
    )
    content = serializers.DictField(
        help_text="Synonyms, summary, plain language, clinical context, billing notes, FAQ."
    )
    ncci = NcciSerializer(
        help_text="CMS's coding edits in force today, each with its set's version and first day: "
        "the units limit (MUE) and what its adjudication indicator means, the primary codes of "
        "an add-on code or the add-ons of a primary, and procedure-to-procedure pairs."
    )
