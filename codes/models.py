"""Fee schedule data: CMS releases and what each one says about every code and locality.

Every figure here comes from an imported CMS file (codes.services.release_import); nothing is
typed in. A release is loaded under status "loading", checked, and only then becomes "ready" or
"current", so pages that read the current release never see a half-loaded one.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, signals

from ncci.models import EditSet

from . import categories, indicators, place_names
from .cache import invalidate_code_pages

RVU_DIGITS = {"max_digits": 8, "decimal_places": 2}
SHARE_DIGITS = {"max_digits": 5, "decimal_places": 2}  # pre/intra/post-op shares, 0.00-1.00
GPCI_DIGITS = {"max_digits": 6, "decimal_places": 3}
MONEY_DIGITS = {"max_digits": 10, "decimal_places": 2}
CF_DIGITS = {"max_digits": 9, "decimal_places": 4}
# National anesthesia CFs carry up to six places (CY2026: 20.49754 non-QP, 20.599835 QP).
ANES_CF_DIGITS = {"max_digits": 10, "decimal_places": 6}


class ReleaseQuerySet(models.QuerySet):
    def imported(self):
        """Releases imported to the end (ready or current), newest first, whatever they hold."""
        return self.filter(status__in=[Release.Status.READY, Release.Status.CURRENT]).newest_first()

    def loaded(self):
        """Releases that price codes: imported to the end, with RVU rows, newest first.

        A locality-only release (RVU26A's GPCI, LOCCO and ANES files without its PPRRVU) is not
        among them: it prices nothing itself, it lends its localities to its calendar year.
        """
        return self.imported().filter(rvu_count__gt=0)

    def locality_sources(self):
        """Releases imported to the end that hold localities (a GPCI file), newest first."""
        return self.imported().filter(locality_count__gt=0)

    def newest_first(self):
        return self.order_by("-year", "-quarter", "-revised", "is_qp", "-released_on", "-pk")

    def current(self, *, qp=False):
        return self.filter(status=Release.Status.CURRENT, is_qp=qp).first()


class Release(models.Model):
    """One CMS quarterly release of the physician fee schedule (RVU25D, RVU26C, ...)."""

    class Status(models.TextChoices):
        LOADING = "loading", "Loading"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        CURRENT = "current", "Current"

    QUARTERS = [("A", "January"), ("B", "April"), ("C", "July"), ("D", "October")]

    name = models.CharField(max_length=16, help_text="CMS release name, e.g. RVU26C.")
    year = models.PositiveSmallIntegerField(help_text="Calendar year the release prices.")
    quarter = models.CharField(max_length=1, choices=QUARTERS)
    revised = models.BooleanField(
        default=False, help_text="A correction release (RVU24AR) that replaces the plain one."
    )
    is_qp = models.BooleanField(
        "QP",
        default=False,
        help_text="Priced with the qualifying APM participant conversion factor (2026 on).",
    )
    effective_on = models.DateField(null=True, blank=True, help_text="First day it applies.")
    released_on = models.DateField(
        null=True, blank=True, help_text='Date in the file preamble ("RELEASED 09/11/2025").'
    )
    conversion_factor = models.DecimalField(
        **CF_DIGITS,
        null=True,
        blank=True,
        help_text="Read from the CONV FACTOR column of the PPRRVU file.",
    )
    anesthesia_conversion_factor = models.DecimalField(
        **ANES_CF_DIGITS,
        null=True,
        blank=True,
        help_text="National anesthesia conversion factor, from the ANES file header "
        "(non-QP from 2026).",
    )
    qp_anesthesia_conversion_factor = models.DecimalField(
        "QP anesthesia conversion factor",
        **ANES_CF_DIGITS,
        null=True,
        blank=True,
        help_text="National anesthesia CF for qualifying APM participants (ANES files from 2026).",
    )
    source = models.CharField(
        max_length=500, blank=True, help_text="URL or file name the release was imported from."
    )
    source_sha256 = models.CharField("source SHA-256", max_length=64, blank=True)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.LOADING, db_index=True
    )
    rvu_count = models.PositiveIntegerField("RVU rows", default=0)
    code_count = models.PositiveIntegerField("distinct codes", default=0)
    locality_count = models.PositiveIntegerField("localities", default=0)
    opps_cap_count = models.PositiveIntegerField("OPPS cap rows", default=0)
    rows_loaded = models.PositiveIntegerField(default=0, help_text="Progress of the last import.")
    rows_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the last import failed.")
    change_summary = models.JSONField(
        null=True,
        blank=True,
        help_text="Codes added, removed and work RVU changes versus the release it replaced.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    loaded_at = models.DateTimeField(null=True, blank=True)
    made_current_at = models.DateTimeField(null=True, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-quarter", "-revised", "is_qp"]
        constraints = [
            models.UniqueConstraint(fields=["name", "is_qp"], name="codes_release_unique_name"),
            # Pricing reads one release: never two current at once (one per QP flag).
            models.UniqueConstraint(
                fields=["is_qp"],
                condition=Q(status="current"),
                name="codes_release_one_current",
            ),
            models.CheckConstraint(
                condition=Q(quarter__in=["A", "B", "C", "D"]), name="codes_release_quarter"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["loading", "ready", "failed", "current"]),
                name="codes_release_status",
            ),
        ]

    def __str__(self):
        return f"{self.name} (QP)" if self.is_qp else self.name

    @property
    def is_loaded(self):
        return self.status in (self.Status.READY, self.Status.CURRENT)

    @property
    def prices_codes(self) -> bool:
        """Loaded with RVU rows (Release.objects.loaded()), not only locality files."""
        return self.is_loaded and self.rvu_count > 0

    def sort_key(self):
        return (self.year, self.quarter, self.revised)


class SourceFile(models.Model):
    """A CMS file that has been imported; its SHA-256 makes importing it again a no-op."""

    class Kind(models.TextChoices):
        PPRRVU = "PPRRVU", "PPRRVU (RVUs and indicators)"
        GPCI = "GPCI", "GPCI (geographic indices)"
        LOCCO = "LOCCO", "LOCCO (counties per locality)"
        ANES = "ANES", "ANES (anesthesia conversion factors)"
        OPPSCAP = "OPPSCAP", "OPPSCAP (imaging payment caps)"
        HCPCS = "HCPCS", "HCPCS Level II descriptors"

    release = models.ForeignKey(
        Release,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        help_text="Empty for the HCPCS file, which describes codes rather than a release.",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    row_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        indexes = [models.Index(fields=["release", "kind"])]

    def __str__(self):
        return self.file_name


class Code(models.Model):
    """A HCPCS code (CPT or Level II) across releases; RVUs hang off it per release."""

    class Kind(models.TextChoices):
        CPT_CATEGORY_I = categories.CPT_CATEGORY_I, "CPT Category I"
        CPT_CATEGORY_II = categories.CPT_CATEGORY_II, "CPT Category II"
        CPT_CATEGORY_III = categories.CPT_CATEGORY_III, "CPT Category III"
        HCPCS_LEVEL_II = categories.HCPCS_LEVEL_II, "HCPCS Level II"

    code = models.CharField(max_length=5, unique=True, help_text="HCPCS code, e.g. 99213.")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    category = models.CharField(max_length=64, db_index=True, help_text='e.g. "E/M", "Surgery".')
    short_descriptor = models.CharField(
        max_length=100, blank=True, help_text="CMS short descriptor from the newest release."
    )
    long_descriptor = models.TextField(
        blank=True, help_text="Long descriptor from the HCPCS Level II file, when it has one."
    )
    hcpcs_added_on = models.DateField("HCPCS add date", null=True, blank=True)
    hcpcs_effective_on = models.DateField("HCPCS action effective date", null=True, blank=True)
    hcpcs_terminated_on = models.DateField("HCPCS termination date", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=list(categories.KIND_LABELS)), name="codes_code_kind"
            ),
        ]

    def __str__(self):
        return self.code


class RelativeValueQuerySet(models.QuerySet):
    def for_release(self, release):
        return self.filter(release=release)


class RelativeValue(models.Model):
    """One PPRRVU row: a code with a modifier (blank, 26, TC, 53) in one release.

    Field names follow the PPRRVU columns; see the CMS readme for each indicator.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="rvus")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="rvus")
    modifier = models.CharField(max_length=2, blank=True, help_text="Blank for the global service.")
    description = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=1, choices=indicators.choices(indicators.STATUS_CODES))
    not_used_for_medicare_payment = models.BooleanField(
        default=False, help_text='"+" in the NOT USED FOR MEDICARE PAYMENT column.'
    )
    work_rvu = models.DecimalField("work RVU", **RVU_DIGITS)
    non_facility_pe_rvu = models.DecimalField("non-facility PE RVU", **RVU_DIGITS)
    non_facility_na = models.BooleanField(
        "non-facility NA", default=False, help_text="Not payable in the non-facility setting."
    )
    facility_pe_rvu = models.DecimalField("facility PE RVU", **RVU_DIGITS)
    facility_na = models.BooleanField(
        "facility NA", default=False, help_text="Not payable in the facility setting."
    )
    mp_rvu = models.DecimalField("MP RVU", **RVU_DIGITS)
    non_facility_total = models.DecimalField(**RVU_DIGITS)
    facility_total = models.DecimalField(**RVU_DIGITS)
    pctc_indicator = models.CharField(
        "PC/TC indicator", max_length=1, choices=indicators.choices(indicators.PCTC_INDICATORS)
    )
    global_days = models.CharField(max_length=3, choices=indicators.choices(indicators.GLOBAL_DAYS))
    pre_op = models.DecimalField("pre-op share", **SHARE_DIGITS)
    intra_op = models.DecimalField("intra-op share", **SHARE_DIGITS)
    post_op = models.DecimalField("post-op share", **SHARE_DIGITS)
    multiple_procedure = models.CharField(
        max_length=1, choices=indicators.choices(indicators.MULTIPLE_PROCEDURE)
    )
    bilateral_surgery = models.CharField(
        max_length=1, choices=indicators.choices(indicators.BILATERAL_SURGERY)
    )
    assistant_surgery = models.CharField(
        max_length=1, choices=indicators.choices(indicators.ASSISTANT_SURGERY)
    )
    co_surgery = models.CharField(max_length=1, choices=indicators.choices(indicators.CO_SURGERY))
    team_surgery = models.CharField(
        max_length=1, choices=indicators.choices(indicators.TEAM_SURGERY)
    )
    # NULL says "the file had no PRIC IND column" (before 2026), which blank cannot say.
    pricing_indicator = models.CharField(  # noqa: DJ001
        "PRIC IND", max_length=2, null=True, blank=True, help_text="From 2026 on; empty before."
    )
    endoscopic_base = models.CharField(max_length=5, blank=True)
    conversion_factor = models.DecimalField(**CF_DIGITS)
    physician_supervision = models.CharField(max_length=2, blank=True)
    calculation_flag = models.CharField(max_length=1, blank=True)
    diagnostic_imaging_family = models.CharField(max_length=2, blank=True)
    opps_non_facility_pe_rvu = models.DecimalField("OPPS non-facility PE", **RVU_DIGITS)
    opps_facility_pe_rvu = models.DecimalField("OPPS facility PE", **RVU_DIGITS)
    opps_mp_rvu = models.DecimalField("OPPS MP", **RVU_DIGITS)

    objects = RelativeValueQuerySet.as_manager()

    class Meta:
        ordering = ["code__code", "modifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "code", "modifier"], name="codes_rvu_unique_code_modifier"
            ),
            models.CheckConstraint(
                condition=Q(work_rvu__gte=0)
                & Q(non_facility_pe_rvu__gte=0)
                & Q(facility_pe_rvu__gte=0)
                & Q(mp_rvu__gte=0),
                name="codes_rvu_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["code", "release"])]

    def __str__(self):
        return f"{self.code_id}{'-' + self.modifier if self.modifier else ''}"


class Locality(models.Model):
    """A Medicare payment locality in one release, with its GPCIs, counties and anesthesia CF."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="localities")
    mac = models.CharField("MAC", max_length=5, help_text="Medicare Administrative Contractor.")
    state = models.CharField(max_length=2)
    locality_number = models.CharField(max_length=2)
    name = models.CharField(max_length=120)
    work_gpci = models.DecimalField(
        "work GPCI", **GPCI_DIGITS, help_text="The work GPCI in force (with the 1.0 floor in 2026)."
    )
    work_gpci_without_floor = models.DecimalField(
        "work GPCI without the 1.0 floor",
        **GPCI_DIGITS,
        null=True,
        blank=True,
        help_text="Only when the GPCI file has both work columns (CY2026 January); for reference.",
    )
    pe_gpci = models.DecimalField("PE GPCI", **GPCI_DIGITS)
    mp_gpci = models.DecimalField("MP GPCI", **GPCI_DIGITS)
    fee_schedule_area = models.CharField(max_length=200, blank=True, help_text="From LOCCO.")
    counties = models.TextField(blank=True, help_text="Counties in the locality, from LOCCO.")
    anesthesia_conversion_factor = models.DecimalField(
        **MONEY_DIGITS, null=True, blank=True, help_text="From the ANES file (non-QP from 2026)."
    )
    qp_anesthesia_conversion_factor = models.DecimalField(
        "QP anesthesia conversion factor",
        **MONEY_DIGITS,
        null=True,
        blank=True,
        help_text="For qualifying APM participants, from the ANES file (2026 on).",
    )

    class Meta:
        ordering = ["state", "name"]
        verbose_name_plural = "localities"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "mac", "locality_number"], name="codes_locality_unique"
            ),
            models.CheckConstraint(
                condition=Q(work_gpci__gt=0) & Q(pe_gpci__gt=0) & Q(mp_gpci__gt=0),
                name="codes_locality_gpci_positive",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.state}, {self.mac}-{self.locality_number})"

    @property
    def display_name(self) -> str:
        """The name in its proper case ("Los Angeles-Long Beach-Anaheim"); `name` is CMS's."""
        return place_names.display_name(self.name)

    @property
    def display_area(self) -> str:
        return place_names.display_name(self.fee_schedule_area)

    def anesthesia_cf(self, *, qp: bool = False):
        """The anesthesia conversion factor for QP or non-QP pricing (the only one before 2026)."""
        if qp and self.qp_anesthesia_conversion_factor is not None:
            return self.qp_anesthesia_conversion_factor
        return self.anesthesia_conversion_factor


class OppsCap(models.Model):
    """An OPPS imaging payment cap for a code in one carrier locality (OPPSCAP file)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="opps_caps")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="opps_caps")
    modifier = models.CharField(max_length=2, blank=True)
    status = models.CharField(max_length=1)
    carrier = models.CharField(max_length=5)
    locality_number = models.CharField(max_length=2)
    facility_price = models.DecimalField(**MONEY_DIGITS)
    non_facility_price = models.DecimalField(**MONEY_DIGITS)

    class Meta:
        ordering = ["code__code", "modifier", "carrier", "locality_number"]
        verbose_name = "OPPS cap"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "code", "modifier", "carrier", "locality_number"],
                name="codes_oppscap_unique",
            ),
        ]
        indexes = [models.Index(fields=["code", "release"])]

    def __str__(self):
        return f"{self.code_id} {self.carrier}-{self.locality_number}"


# --- Editorial content and page preferences ------------------------------------------------------
# Written by people (loaded from codes/content/*.json by `manage.py load_editorial_content`, then
# editable in the admin). A code without its own content falls back to its category's defaults,
# and codes.content fills what is still missing with sentences computed from the fee schedule, so
# every code has a complete page.


class CodeContent(models.Model):
    """Original text about one code, shown on its page in place of computed sentences."""

    code = models.OneToOneField(Code, on_delete=models.CASCADE, related_name="content")
    synonyms = models.TextField(
        blank=True, help_text="Other names clinicians use, one per line (lap chole, TKA...)."
    )
    summary = models.TextField(
        blank=True,
        help_text="One or two sentences saying what the code is; also the meta description.",
    )
    plain_language = models.TextField(blank=True, help_text="The service in everyday words.")
    clinical_context = models.TextField(blank=True, help_text="When and why it is performed.")
    billing_notes = models.TextField(
        "billing & documentation", blank=True, help_text="What to document and how it is billed."
    )
    related = models.TextField(
        "related codes",
        blank=True,
        help_text="Codes to list first under Related codes, one per line, best first: the same "
        "procedure's variants, its revision, add-on codes, the drug's catch-all code...",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code__code"]
        verbose_name = "code content"
        verbose_name_plural = "code content"

    def __str__(self):
        return str(self.code)

    @property
    def synonym_list(self) -> list[str]:
        return [line.strip() for line in self.synonyms.splitlines() if line.strip()]

    def clean(self):
        wrong = [c for c in self.related.split() if not re.fullmatch(r"[0-9A-Za-z]{5}", c)]
        if wrong:
            raise ValidationError(
                {"related": f"Not a five-character code: {', '.join(wrong)} (one code per line)."}
            )

    @property
    def related_list(self) -> list[str]:
        return [line.strip().upper() for line in self.related.split() if line.strip()]


class CodeFaq(models.Model):
    """A question and its answer on a code's page (also published as FAQPage JSON-LD)."""

    content = models.ForeignKey(CodeContent, on_delete=models.CASCADE, related_name="faqs")
    question = models.CharField(max_length=300)
    answer = models.TextField()
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["content", "position", "pk"]
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self):
        return self.question


class CategoryContent(models.Model):
    """Text every code of a category shows when it has none of its own (e.g. J code billing)."""

    category = models.CharField(
        max_length=64, unique=True, help_text='A code category exactly as codes show it: "E/M".'
    )
    plain_language_template = models.TextField(
        blank=True,
        help_text="Plain-language sentence; {descriptor} is replaced by the code's descriptor.",
    )
    clinical_context = models.TextField(blank=True)
    billing_notes = models.TextField("billing & documentation", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category"]
        verbose_name = "category content"
        verbose_name_plural = "category content"

    def __str__(self):
        return self.category


class LocalityPreference(models.Model):
    """The Medicare locality a signed-in user last priced codes in, kept across sessions.

    Keyed by "MAC-locality number" (e.g. "01112-05"), which stays the same from one release to the
    next, unlike a Locality row.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="locality_preference"
    )
    locality_key = models.CharField(max_length=9, help_text='"MAC-locality", e.g. "01112-05".')
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "locality preference"

    def __str__(self):
        return f"{self.user_id}: {self.locality_key}"


def _page_data_changed(**kwargs):
    """Code pages are cached per data version: a release, editorial or NCCI change starts a new
    one."""
    transaction.on_commit(invalidate_code_pages)


# Code pages show the NCCI edits in force: a new set of edits starts a new version too.
for _model in (Release, CodeContent, CodeFaq, CategoryContent, EditSet):
    signals.post_save.connect(_page_data_changed, sender=_model, dispatch_uid=f"pages-{_model}")
    signals.post_delete.connect(_page_data_changed, sender=_model, dispatch_uid=f"pages-d{_model}")
