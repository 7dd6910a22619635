"""An employer's productivity statement, reconciled line by line against the user's log.

A statement is uploaded (its file kept only until it is reconciled), its columns chosen, then
reconciled by a job (tracking.jobs: in the request for a small file, by a worker for a large
one) that writes its lines and totals. Each line keeps the figures both sides gave and the rule
that explains a difference, so the results, the dispute packet and the history read the stored
lines, never the file again. No patient data is stored: an encounter or patient column is read
to be told apart from the others and then dropped.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from statements.explain import RULE_LABELS
from statements.matching import Status as LineStatus
from tracking.models import CREDIT_DIGITS, BackgroundJob, OwnedQuerySet

TOTAL_DIGITS = {"max_digits": 14, "decimal_places": 4, "default": 0}


class Statement(BackgroundJob):
    class Status(models.TextChoices):
        MAPPING = "mapping", "Choose columns"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Reconciling"
        STOPPED = "stopped", "Stopped before finishing"
        DONE = "done", "Reconciled"
        FAILED = "failed", "Not reconciled"

    class FileType(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"
        PDF = "pdf", "PDF"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="statements"
    )
    filename = models.CharField(max_length=255)
    file_type = models.CharField(max_length=4, choices=FileType.choices)
    headers = models.JSONField(default=list)
    columns = models.JSONField(default=dict, help_text="Our field name to the file's header.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.MAPPING)
    period_from = models.DateField("period from", null=True, blank=True)
    period_to = models.DateField("period to", null=True, blank=True)
    period_note = models.CharField(
        max_length=200, blank=True, help_text="Where the period comes from, when not typed."
    )
    rows_skipped = models.PositiveIntegerField(
        default=0, help_text="Rows that are not lines: subtotals, footers, notes."
    )
    # [{"row": 3, "errors": ["..."]}, ...]: the file's line numbers, header = 1.
    errors = models.JSONField(default=list, blank=True)
    # The reconciliation's totals: sums of the stored lines.
    counts = models.JSONField(default=dict, blank=True, help_text="Lines by status.")
    statement_wrvu = models.DecimalField("statement wRVU", **TOTAL_DIGITS)
    log_wrvu = models.DecimalField("log wRVU (your policy)", **TOTAL_DIGITS)
    log_medicare_wrvu = models.DecimalField("log wRVU (Medicare-style)", **TOTAL_DIGITS)
    owed_wrvu = models.DecimalField("owed wRVU (your policy)", **TOTAL_DIGITS)
    owed_medicare_wrvu = models.DecimalField("owed wRVU (Medicare-style)", **TOTAL_DIGITS)

    noun = "reconciliation"
    nothing_done = "Not reconciled"

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_from", "-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="statements_user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_done__lte=models.F("rows_total")),
                name="statements_progress_range",
            ),
            models.CheckConstraint(
                condition=Q(period_from__isnull=True)
                | Q(period_to__isnull=True)
                | Q(period_from__lte=models.F("period_to")),
                name="statements_period_ordered",
            ),
        ]

    def __str__(self):
        return f"Statement {self.filename} ({self.get_status_display()})"

    @property
    def period_label(self) -> str:
        if not self.period_from:
            return "period not set"
        return f"{self.period_from:%Y-%m-%d} to {self.period_to:%Y-%m-%d}"


class StatementLine(models.Model):
    """One line of a reconciled statement: statement lines and logged entries standing for the
    same services (either side may be empty), with their figures and the reason they differ."""

    class Status(models.TextChoices):
        # The values of statements.matching.Status, which the matching gives each line.
        MATCHED = LineStatus.MATCHED.value, "Matched"
        DIFFERS = LineStatus.DIFFERS.value, "Credited differently"
        MISSING_FROM_STATEMENT = LineStatus.MISSING_FROM_STATEMENT.value, "Missing from statement"
        NOT_IN_LOG = LineStatus.NOT_IN_LOG.value, "Not in your log"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=24, choices=Status.choices)
    date = models.DateField("date of service", help_text="The statement's, else the log's.")
    log_date = models.DateField(
        null=True, blank=True, help_text="The log's date, when an entry is matched."
    )
    code = models.CharField(max_length=5)
    modifiers = models.CharField(
        max_length=40, blank=True, help_text="As the statement gives them, else as logged."
    )
    log_modifiers = models.CharField(max_length=15, blank=True, help_text="As logged.")
    units = models.PositiveIntegerField(
        default=1, help_text="The statement's units, else the log's."
    )
    log_units = models.PositiveIntegerField(default=0)
    statement_wrvu = models.DecimalField(**CREDIT_DIGITS, null=True, blank=True)
    log_wrvu = models.DecimalField("log wRVU (your policy)", **CREDIT_DIGITS, null=True, blank=True)
    log_medicare_wrvu = models.DecimalField(
        "log wRVU (Medicare-style)", **CREDIT_DIGITS, null=True, blank=True
    )
    owed_wrvu = models.DecimalField(
        **CREDIT_DIGITS, default=0, help_text="Log minus statement (differing and missing lines)."
    )
    owed_medicare_wrvu = models.DecimalField(**CREDIT_DIGITS, default=0)
    rule = models.CharField(max_length=32, blank=True, help_text="statements.explain rule id.")
    reason = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="How the match was made.")
    release = models.CharField(max_length=40, blank=True, help_text="The release of the entries.")
    statement_rows = models.JSONField(default=list, help_text="The file's line numbers.")
    entries = models.JSONField(default=list, help_text="The logged entries' ids.")
    provider = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["statement", "position"]
        indexes = [models.Index(fields=["statement", "status"], name="statements_line_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="statements_line_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in LineStatus]),
                name="statements_line_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.code} on {self.date}: {self.get_status_display()}"

    @property
    def label(self) -> str:
        return "-".join((self.code, *self.modifier_list))

    @property
    def rule_label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)

    @property
    def modifier_list(self) -> list[str]:
        return [m for m in self.modifiers.split("-") if m]

    @property
    def off_by_one(self) -> bool:
        return self.log_date is not None and self.log_date != self.date

    @property
    def under_credited(self) -> bool:
        """What the dispute packet lists: missing, or credited less than the log."""
        return self.owed_wrvu > 0


class StatementMapping(models.Model):
    """Which column of the user's statements holds each field, remembered for the next one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="statement_mapping"
    )
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    def __str__(self):
        return f"Statement columns of {self.user}"
