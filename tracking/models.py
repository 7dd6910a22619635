"""A user's procedure log: entries priced by a fee schedule release, and what surrounds them.

Each entry keeps the release that priced it and the three credited figures (raw, Medicare-style,
policy), so a new release never changes a past entry; re-pricing is an explicit, undoable batch.
No patient data is stored anywhere here.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from codes.credit import Policy
from codes.releases import Flag

CREDIT_DIGITS = {"max_digits": 10, "decimal_places": 4}
PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("300"))]


class Setting(models.TextChoices):
    FACILITY = "facility", "Facility"
    NON_FACILITY = "non_facility", "Non-facility (office)"


class Role(models.TextChoices):
    """The user's part in a case, for the case log. It changes no credit: a line's wRVU follows
    its codes and modifiers (80, 82 or AS for an assistant at surgery), whoever logs it.

    The first four are the roles surgical case logs use (ACGME); the others stay valid for
    entries logged before them and for students."""

    SURGEON_CHIEF = "surgeon_chief", "Surgeon chief"
    SURGEON_JUNIOR = "surgeon_junior", "Surgeon junior"
    TEACHING_ASSISTANT = "teaching_assistant", "Teaching assistant"
    FIRST_ASSISTANT = "first_assistant", "First assistant"
    PERFORMED = "performed", "Performed"
    ASSISTED = "assisted", "Assisted"
    OBSERVED = "observed", "Observed"
    TEACHING = "teaching", "Teaching"


CASE_LOG_ROLES = (
    Role.SURGEON_CHIEF,
    Role.SURGEON_JUNIOR,
    Role.TEACHING_ASSISTANT,
    Role.FIRST_ASSISTANT,
)
ROLE_MAX_LENGTH = 20


def percent_field(label: str, default: int, help_text: str = "") -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=PERCENT_VALIDATORS,
        help_text=help_text,
    )


class OwnedQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class CreditPolicy(models.Model):
    """How the user's employer credits work RVUs: each rule on or off, and percentages.

    Without one, the policy figure equals the Medicare-style figure.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_policy"
    )
    multiple_procedure = models.BooleanField(
        "multiple-procedure reduction", default=True, help_text="Second and later procedures."
    )
    endoscopy = models.BooleanField("endoscopy family rule", default=True)
    bilateral = models.BooleanField("bilateral (50) adjustment", default=True)
    assistant = models.BooleanField("assistant-at-surgery percentages", default=True)
    co_surgery = models.BooleanField("co-surgery (62) at 62.5%", default=True)
    split_care = models.BooleanField("split care (54/55/56) shares", default=True)
    second_procedure_percent = percent_field("second and later procedures, %", 50)
    modifier_22_percent = percent_field(
        "modifier 22, %", 100, "Increased procedural services. Medicare sets no fixed percentage."
    )
    modifier_52_percent = percent_field(
        "modifier 52, %", 100, "Reduced services. Medicare sets no fixed percentage."
    )
    modifier_53_percent = percent_field(
        "modifier 53, %", 100, "Discontinued procedure, where the release has no 53 row."
    )
    # Coding edits (ncci.checks): each on leaves the lines its rule bundles out of the policy
    # figure, as Medicare-style credit does; off, the line is credited and the warning shown.
    addon_without_primary = models.BooleanField(
        "add-on codes need a listed primary code", default=True
    )
    duplicate_em = models.BooleanField("one E/M visit per patient a day", default=True)
    global_package = models.BooleanField(
        "global surgical package", default=True, help_text="Visits in a procedure's package."
    )
    ptp_bundled = models.BooleanField(
        "NCCI procedure-to-procedure edits", default=True, help_text="Column 2 codes bundled."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    def __str__(self):
        return f"Credit policy of {self.user}"

    def as_policy(self):
        return Policy(
            multiple_procedure=self.multiple_procedure,
            endoscopy=self.endoscopy,
            bilateral=self.bilateral,
            assistant=self.assistant,
            co_surgery=self.co_surgery,
            split_care=self.split_care,
            modifier_22_percent=self.modifier_22_percent,
            modifier_52_percent=self.modifier_52_percent,
            modifier_53_percent=self.modifier_53_percent,
            second_procedure_percent=self.second_procedure_percent,
            coding_edits=frozenset(
                rule
                for rule, applied in (
                    ("addon-without-primary", self.addon_without_primary),
                    ("duplicate-em", self.duplicate_em),
                    ("global-package", self.global_package),
                    ("ptp-bundled", self.ptp_bundled),
                )
                if applied
            ),
        )


class Location(models.Model):
    """A place the user works (a hospital, a clinic); it may carry its own $ per wRVU."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(max_length=100)
    default_setting = models.CharField(
        max_length=16, choices=Setting.choices, default=Setting.FACILITY
    )
    dollars_per_wrvu = models.DecimalField(
        "$ per wRVU",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Leave blank to use your usual rate.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="tracking_location_unique_name")
        ]

    def __str__(self):
        return self.name


class Encounter(models.Model):
    """The lines of one session, ranked together by the multiple-procedure rules."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="encounters"
    )
    date = models.DateField("date of service")
    setting = models.CharField(max_length=16, choices=Setting.choices)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["user", "date"])]

    def __str__(self):
        return f"Encounter {self.pk} on {self.date}"


class DatedQuerySet(OwnedQuerySet):
    def between(self, start=None, end=None):
        qs = self
        if start:
            qs = qs.filter(date__gte=start)
        if end:
            qs = qs.filter(date__lte=end)
        return qs


class ProcedureLogQuerySet(DatedQuerySet):
    def with_related(self):
        """Code, location and release in the same query, without the release's change
        summary (a large JSON document nobody reads per entry)."""
        return self.select_related("code", "location", "release").defer(
            "release__change_summary", "code__long_descriptor"
        )


class ProcedureLog(models.Model):
    """One logged procedure line, with the credit computed from the release that priced it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="procedure_logs"
    )
    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="lines")
    date = models.DateField("date of service", help_text="Copied from the encounter for queries.")
    code = models.ForeignKey("codes.Code", on_delete=models.PROTECT, related_name="+")
    modifiers = models.CharField(
        max_length=15, blank=True, help_text='Up to four, joined by "-", e.g. "50-LT".'
    )
    units = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    setting = models.CharField(max_length=16, choices=Setting.choices)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL)
    role = models.CharField(
        max_length=ROLE_MAX_LENGTH, choices=Role.choices, default=Role.PERFORMED
    )
    supervising_attending = models.CharField(max_length=120, blank=True)
    note = models.CharField(
        max_length=500,
        blank=True,
        help_text="Never enter patient information (names, MRNs, dates of birth).",
    )
    release = models.ForeignKey("codes.Release", on_delete=models.PROTECT, related_name="+")
    release_flag = models.CharField(
        max_length=10,
        choices=[(flag.value, flag.label) for flag in Flag],
        blank=True,
        default=Flag.NONE.value,
        help_text="Empty when the release is the one in effect on the date of service; else why "
        "another one priced the entry (codes.releases.Flag).",
    )
    release_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why the release is not the one in effect on the date, for the person; empty "
        "when it is.",
    )
    work_rvu = models.DecimalField(**CREDIT_DIGITS, help_text="Work RVU per unit in the release.")
    raw = models.DecimalField("raw wRVU", **CREDIT_DIGITS)
    medicare = models.DecimalField("Medicare-style wRVU", **CREDIT_DIGITS)
    policy = models.DecimalField("policy wRVU", **CREDIT_DIGITS)
    explanation = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcedureLogQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(units__gte=1, units__lte=99), name="tracking_log_units_range"
            ),
            models.CheckConstraint(
                condition=Q(raw__gte=0) & Q(medicare__gte=0) & Q(policy__gte=0),
                name="tracking_log_credit_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-date", "-id"], name="tracking_log_user_date"),
            models.Index(fields=["user", "code"], name="tracking_log_user_code"),
        ]

    def __str__(self):
        return f"{self.code.code}{'-' + self.modifiers if self.modifiers else ''} on {self.date}"

    @property
    def modifier_list(self) -> list[str]:
        return [m for m in self.modifiers.split("-") if m]


TOTAL_DIGITS = {"max_digits": 16, "decimal_places": 4}


class DailyTotal(models.Model):
    """A user's entries of one day summed: what the dashboard's periods and trend and the stats
    add up instead of every entry (a few hundred rows a year, however many entries).

    Derived, never written by hand: tracking.totals rewrites a day's rows from its entries in
    the transaction of every write to them, so they always equal a fresh aggregate."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    entries = models.PositiveIntegerField()
    units = models.PositiveIntegerField()
    raw = models.DecimalField(**TOTAL_DIGITS)
    medicare = models.DecimalField(**TOTAL_DIGITS)
    policy = models.DecimalField(**TOTAL_DIGITS)

    objects = DatedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="tracking_daily_total_unique")
        ]

    def __str__(self):
        return f"{self.date}: {self.entries} entries"


class CodeTotalFields(models.Model):
    """What DailyCodeTotal and MonthlyCodeTotal both hold: a user's entries of one code,
    location, setting and role, summed (each adds its date or month)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey("codes.Code", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    setting = models.CharField(max_length=16, choices=Setting.choices)
    role = models.CharField(max_length=ROLE_MAX_LENGTH, choices=Role.choices)
    entries = models.PositiveIntegerField()
    units = models.PositiveIntegerField()
    raw = models.DecimalField(**TOTAL_DIGITS)
    medicare = models.DecimalField(**TOTAL_DIGITS)
    policy = models.DecimalField(**TOTAL_DIGITS)

    class Meta:
        abstract = True


class DailyCodeTotal(CodeTotalFields):
    """A user's entries of one day summed by code, location, setting and role: the case mix,
    the splits, the year's pay by location, the reports' totals and the history's page count
    read these, filtered as the entries would be. Derived like DailyTotal (tracking.totals).

    A deleted location leaves its rows with none, as it leaves the entries: two rows may then
    share a key, and every reader sums."""

    date = models.DateField()

    objects = DatedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "date"], name="tracking_code_total_user_date")]

    def __str__(self):
        return f"{self.date} {self.code_id}: {self.entries} entries"


class MonthlyCodeTotal(CodeTotalFields):
    """DailyCodeTotal summed over a calendar month (`month`: its first day): what the
    dashboard's case mix, splits and year's pay add for the whole months of a period (the days
    at either end come from the daily rows), so a busy year costs a dozen months of rows, not
    365 days of them. Derived like DailyTotal (tracking.totals)."""

    month = models.DateField(help_text="The first day of the month.")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "month"], name="tracking_month_total_user")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.code_id}: {self.entries} entries"


class LogChange(models.Model):
    """Who changed an entry, when, and the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Edited"
        DELETE = "delete", "Deleted"
        REPRICE = "reprice", "Re-priced"
        # Another line of the encounter was edited or deleted: this one was credited again
        # (ranked with the others) and moved with the encounter's date and setting.
        RERANK = "rerank", "Re-ranked with its encounter"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="log_changes"
    )
    log = models.ForeignKey(
        ProcedureLog, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    log_pk = models.BigIntegerField(help_text="Kept when the entry itself is deleted.")
    action = models.CharField(max_length=8, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["user", "log_pk"])]

    def __str__(self):
        return f"{self.get_action_display()} entry {self.log_pk}"


class Favorite(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites"
    )
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="tracking_favorite_unique")
        ]

    def __str__(self):
        return self.code.code


class LogTemplate(models.Model):
    """A named set of lines logged together, e.g. a surgeon's usual case."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="log_templates"
    )
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="tracking_template_unique_name")
        ]

    def __str__(self):
        return self.name


class LogTemplateLine(models.Model):
    template = models.ForeignKey(LogTemplate, on_delete=models.CASCADE, related_name="lines")
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+")
    modifiers = models.CharField(max_length=15, blank=True)
    units = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"{self.code.code}{'-' + self.modifiers if self.modifiers else ''}"


class RepriceBatch(models.Model):
    """An explicit "re-price with release X" over a date range, kept so it can be undone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reprice_batches"
    )
    release = models.ForeignKey("codes.Release", on_delete=models.PROTECT, related_name="+")
    date_from = models.DateField()
    date_to = models.DateField()
    entries = models.PositiveIntegerField(default=0)
    applied_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    # [{"log": pk, "release": pk, "work_rvu": "...", "raw": ..., "medicare": ..., "policy": ...,
    #   "explanation": [...], "warnings": [...]}, ...] as they were before the batch.
    previous = models.JSONField(default=list)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-applied_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_from__lte=models.F("date_to")), name="tracking_reprice_range"
            )
        ]

    def __str__(self):
        return f"Re-price {self.date_from}..{self.date_to} with {self.release}"


class Figure(models.TextChoices):
    RAW = "raw", "Raw"
    MEDICARE = "medicare", "Medicare-style"
    POLICY = "policy", "Employer policy"


class Preferences(models.Model):
    """The user's goal and pay settings: annual target, $ per wRVU, fiscal year, and which
    credit counts toward the goal. One row per user, written by services.preferences_update."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracking_preferences"
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="The month your employer's year starts (1 = January, 7 = July).",
    )
    goal_figure = models.CharField(
        max_length=8,
        choices=Figure.choices,
        default=Figure.POLICY,
        help_text="Which credit counts toward your goal and pay.",
    )
    annual_wrvu_target = models.DecimalField(
        "annual wRVU target",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
        help_text="Your yearly work RVU goal, e.g. 5000.",
    )
    dollars_per_wrvu = models.DecimalField(
        "$ per wRVU",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
        help_text="What your employer pays per work RVU, e.g. 52.00; used when you have no tiers.",
    )
    tracking_since = models.DateField(
        null=True,
        blank=True,
        help_text="The day you started logging here. Blank: the date of your first entry. "
        "Pace and projections count from it.",
    )
    carried_wrvu = models.DecimalField(
        "wRVU before tracking",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100000"))],
        help_text="wRVUs you had already done this fiscal year before you started tracking "
        "(from your employer's report). They count toward goal and pay.",
    )
    pay_prompt_dismissed = models.BooleanField(
        default=False,
        help_text="The user chose “Not now” when the tracker asked for target and pay.",
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "preferences"
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="tracking_preferences_month_range",
            ),
            models.CheckConstraint(
                condition=(Q(annual_wrvu_target__isnull=True) | Q(annual_wrvu_target__gte=0))
                & (Q(dollars_per_wrvu__isnull=True) | Q(dollars_per_wrvu__gte=0)),
                name="tracking_preferences_pay_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(carried_wrvu__isnull=True) | Q(carried_wrvu__gte=0),
                name="tracking_preferences_carried_not_negative",
            ),
        ]

    def __str__(self):
        return f"Preferences of {self.user}"


class DayOff(models.Model):
    """A weekday the user does not work (holiday, vacation, CME): left out of goal splits."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="days_off"
    )
    date = models.DateField()
    label = models.CharField(max_length=60, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="tracking_day_off_unique")
        ]

    def __str__(self):
        return f"{self.date} {self.label}".strip()


class CompensationTier(models.Model):
    """A tier of $ per wRVU: from `starts_at` wRVUs in the year, each wRVU pays `rate`.

    Without tiers, the user's single $ per wRVU applies. Example: 0 at $45, 5,000 at $52.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compensation_tiers"
    )
    starts_at = models.DecimalField(
        "from wRVU", max_digits=9, decimal_places=2, validators=[MinValueValidator(0)]
    )
    rate = models.DecimalField(
        "$ per wRVU", max_digits=8, decimal_places=2, validators=[MinValueValidator(0)]
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "starts_at"], name="tracking_tier_unique_start")
        ]

    def __str__(self):
        return f"from {self.starts_at} wRVU: ${self.rate}"


class ImportMapping(models.Model):
    """Which column of the user's file holds each field, remembered for their next import."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_mapping"
    )
    # {"date": "Service Date", "code": "CPT", ...}: our field name to the file's header.
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    def __str__(self):
        return f"Import mapping of {self.user}"


class BackgroundJob(models.Model):
    """What an import and a restore share: the uploaded file (kept until the job ends), the
    state tracking.jobs moves the job through, its progress and its outcome.

    Each job model has a `Status` with at least queued, running, stopped, done and failed.
    """

    data = models.BinaryField(help_text="The uploaded file, deleted when the job ends.")
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0, help_text="Rows checked or written.")
    attempts = models.PositiveSmallIntegerField(
        default=0,
        help_text="Runs started since the job was queued; a run whose worker died is retried "
        "up to tracking.jobs.MAX_ATTEMPTS runs.",
    )
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    # How the job pages and messages name the job ("Nothing imported: the import stopped ...").
    noun = "job"
    nothing_done = "Nothing done"

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        """Queued or running: the job page polls for progress."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def can_run_again(self) -> bool:
        """Stopped by a worker that died: the file is still here to run again."""
        return self.status == self.Status.STOPPED


class ImportJob(BackgroundJob):
    """An uploaded CSV or XLSX file on its way into the log: mapped, previewed, then imported
    all at once (in the request, or by a Celery task for a large file)."""

    class Status(models.TextChoices):
        MAPPING = "mapping", "Choose columns"
        PREVIEW = "preview", "Ready to preview"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        STOPPED = "stopped", "Stopped before finishing"
        DONE = "done", "Imported"
        FAILED = "failed", "Nothing imported"

    class Mode(models.TextChoices):
        VALID_ROWS = "valid_rows", "Import all valid rows"
        ALL_OR_NOTHING = "all_or_nothing", "Import only if every row is valid"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    filename = models.CharField(max_length=255)
    file_type = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    headers = models.JSONField(default=list)
    columns = models.JSONField(default=dict, help_text="Our field name to the file's header.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.MAPPING)
    mode = models.CharField(max_length=16, choices=Mode.choices, blank=True)
    skip_duplicates = models.BooleanField(default=False)
    release = models.ForeignKey(
        "codes.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rows_imported = models.PositiveIntegerField(default=0)
    # [{"row": 3, "errors": ["..."]}, ...]: the file's line numbers, header = 1.
    errors = models.JSONField(default=list, blank=True)

    noun = "import"
    nothing_done = "Nothing imported"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="tracking_import_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")),
                name="tracking_import_progress_range",
            )
        ]

    def __str__(self):
        return f"Import of {self.filename} ({self.get_status_display()})"


class RestoreJob(BackgroundJob):
    """An uploaded backup (stored gzip-compressed) on its way into the account: checked, then
    restored all or nothing (in the request when small, else by a Celery task)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Restoring"
        STOPPED = "stopped", "Stopped before finishing"
        DONE = "done", "Restored"
        FAILED = "failed", "Nothing restored"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restore_jobs"
    )
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0, help_text="The uploaded file's bytes.")
    replace = models.BooleanField(
        default=False, help_text="Delete the account's tracking data first (same transaction)."
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # {"entries": 120, "locations": 2, ...}: what the restore wrote, by section.
    counts = models.JSONField(default=dict, blank=True)

    noun = "restore"
    nothing_done = "Nothing restored"

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="tracking_restore_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")),
                name="tracking_restore_progress_range",
            )
        ]

    def __str__(self):
        return f"Restore of {self.filename} ({self.get_status_display()})"


class SubmissionKey(models.Model):
    """One submission of a form (its one-time token) or of the API (its Idempotency-Key),
    claimed once per user with the answer it got: a repeat of the key gets that answer back and
    saves nothing (tracking.submissions). Kept at least a day, then purged."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submission_keys"
    )
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=40, help_text="What was submitted, e.g. quick_entry.")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of what was sent.")
    status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The answer's HTTP status; empty while it is worked on."
    )
    location = models.CharField(max_length=500, blank=True, help_text="Where the answer went.")
    # JSON text, kept as it was sent (jsonb would reorder keys): the API's answer, or a form's
    # {"messages": [[level, text], ...]}.
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="tracking_submission_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="tracking_submission_created")]

    def __str__(self):
        return f"{self.scope} {self.key}"
