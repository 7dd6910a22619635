"""CMS's National Correct Coding Initiative edits, as imported datasets.

Each import of a file (or of a quarter's PTP parts) is an EditSet with its kind, version and
first day in force, written with its edits in one transaction (a set exists only when
complete); the edits of a date of service are those of the newest set of each kind in force
by then. Codes are kept as text: the files name codes the fee schedule does not
(laboratory, deleted and contractor-defined codes).
"""

from django.db import models


class EditSet(models.Model):
    class Kind(models.TextChoices):
        MUE = "mue", "Medically Unlikely Edits"
        AOC = "aoc", "Add-on code edits"
        PTP = "ptp", "Procedure-to-procedure edits"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    version = models.CharField(max_length=20, help_text="2026Q2, or v32.2r0 for PTP edits.")
    effective_on = models.DateField("in force from")
    files = models.JSONField(default=list, help_text="[{name, sha256, rows}] of the files read.")
    content_hash = models.CharField(
        max_length=64, help_text="SHA-256 over the files' SHA-256s: the same files import once."
    )
    rows = models.PositiveIntegerField(default=0)
    source_url = models.URLField(max_length=500, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-effective_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "content_hash"], name="ncci_editset_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.version}"


class Mue(models.Model):
    """Units of a code a practitioner may report for one patient: per line (MAI 1) or per day."""

    class Adjudication(models.IntegerChoices):
        LINE = 1, "Per claim line"
        POLICY = 2, "Per day (policy: absolute)"
        CLINICAL = 3, "Per day (clinical benchmark)"

    edit_set = models.ForeignKey(EditSet, on_delete=models.CASCADE, related_name="mues")
    code = models.CharField(max_length=5)
    units = models.PositiveIntegerField()
    mai = models.PositiveSmallIntegerField("MUE adjudication indicator", choices=Adjudication)
    rationale = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edit_set", "code"], name="ncci_mue_code_once"),
        ]

    def __str__(self):
        return f"MUE {self.code}: {self.units} (MAI {self.mai})"


class AddOnEdit(models.Model):
    """An add-on code and a primary code it may be reported with."""

    class Type(models.IntegerChoices):
        LISTED = 1, "Only with the listed primary codes"
        CONTRACTOR = 2, "Primary codes defined by the Medicare contractor"
        SOME_LISTED = 3, "With the listed primary codes, or others the contractor allows"

    edit_set = models.ForeignKey(EditSet, on_delete=models.CASCADE, related_name="addons")
    edit_type = models.PositiveSmallIntegerField(choices=Type)
    addon = models.CharField(max_length=5)
    primary = models.CharField(max_length=5, help_text="CCCCC: defined by the contractor.")
    effective_on = models.DateField(null=True, blank=True)
    deleted_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["edit_set", "addon"], name="ncci_aoc_addon"),
            models.Index(fields=["edit_set", "primary"], name="ncci_aoc_primary"),
        ]

    def __str__(self):
        return f"Add-on {self.addon} with {self.primary} (type {self.edit_type})"


class PtpEdit(models.Model):
    """A pair of codes not reported together for one patient on one day: the column 2 code is
    bundled into the column 1 code, unless a modifier may bypass the edit (indicator 1)."""

    class Modifier(models.IntegerChoices):
        NOT_ALLOWED = 0, "No modifier bypasses the edit"
        ALLOWED = 1, "A modifier such as 59 or XE/XS/XP/XU may bypass the edit"
        NOT_APPLICABLE = 9, "Not applicable (the edit was deleted)"

    edit_set = models.ForeignKey(EditSet, on_delete=models.CASCADE, related_name="ptps")
    column1 = models.CharField(max_length=5)
    column2 = models.CharField(max_length=5)
    effective_on = models.DateField()
    deleted_on = models.DateField(null=True, blank=True)
    modifier = models.PositiveSmallIntegerField(choices=Modifier)
    rationale = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["edit_set", "column1"], name="ncci_ptp_column1"),
            models.Index(fields=["edit_set", "column2"], name="ncci_ptp_column2"),
        ]

    def __str__(self):
        return f"PTP {self.column1} / {self.column2} (modifier {self.modifier})"
