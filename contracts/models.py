"""A user's contracts and offers: the terms contracts.engine evaluates on their own log.

A signed contract is in force on its dates (signed contracts of one user never overlap) and
pays the dashboard; an offer is only compared. Tiers, bonuses, stipends and location rates are
rows of their contract, written together by services.contract_save.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from contracts import engine
from rvuedge import rounding

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}
WRVU = {
    "max_digits": 9,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100000))],
}
RATE = {
    "max_digits": 8,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10000))],
}
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
MAX_SALARY = MaxValueValidator(Decimal(100_000_000))


class ContractQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def signed(self):
        return self.filter(status=Contract.Status.SIGNED)

    def with_terms(self):
        return self.prefetch_related("tiers", "bonuses", "stipends", "location_rates__location")

    def in_force_between(self, start, end):
        return self.signed().filter(
            Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))
        )


class Contract(models.Model):
    class Status(models.TextChoices):
        SIGNED = "signed", "Signed: in force on its dates, pays the dashboard"
        OFFER = "offer", "Offer: for comparison only"

    class Figure(models.TextChoices):
        POLICY = engine.POLICY, "Employer policy (your credit policy's rules)"
        MEDICARE = engine.MEDICARE, "Medicare-style"

    class Reconciliation(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class Shortfall(models.TextChoices):
        CLAWBACK = engine.CLAWBACK, "Clawed back at reconciliation"
        CARRY = engine.CARRY, "Carried forward against later surpluses"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contracts"
    )
    name = models.CharField(
        max_length=100,
        help_text="A name you will recognise, e.g. “Current contract 2026” or “Offer: Lakeside”.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SIGNED)
    start_date = models.DateField("in force from")
    end_date = models.DateField(
        "until", null=True, blank=True, help_text="The last day; leave blank while it runs."
    )
    base_salary = models.DecimalField(
        "base salary, $ a year",
        default=Decimal(0),
        **{**MONEY, "validators": [*MONEY["validators"], MAX_SALARY]},
    )
    threshold_wrvu = models.DecimalField(
        "productivity threshold, wRVU a year",
        default=Decimal(0),
        help_text="wRVUs up to it earn nothing beyond the base. 0 when every wRVU counts.",
        **WRVU,
    )
    figure = models.CharField(
        "which wRVU figure counts",
        max_length=8,
        choices=Figure.choices,
        default=Figure.POLICY,
        help_text="Medicare's payment rules, or your employer's own (set on Credit policy).",
    )
    reconciliation = models.CharField(
        "reconciled", max_length=10, choices=Reconciliation.choices, default=Reconciliation.ANNUAL
    )
    draw = models.DecimalField(
        "draw, $ a year",
        default=Decimal(0),
        help_text="Paid against productivity each period, then reconciled. 0 for none.",
        **{**MONEY, "validators": [*MONEY["validators"], MAX_SALARY]},
    )
    shortfall = models.CharField(
        "a shortfall against the draw is",
        max_length=8,
        choices=Shortfall.choices,
        default=Shortfall.CLAWBACK,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-status", "-start_date", "name"]  # signed first
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="contracts_contract_unique_name",
                violation_error_message="You already have a contract or offer with this name.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contracts_contract_dates_ordered",
                violation_error_message="The end date must be on or after the start date.",
            ),
            models.CheckConstraint(
                condition=Q(base_salary__gte=0, threshold_wrvu__gte=0, draw__gte=0),
                name="contracts_contract_not_negative",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "status", "start_date"], name="contracts_user_status_start"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})
        clash = self.overlapping().first()
        if clash is not None:
            raise ValidationError({"start_date": overlap_message(clash)})

    def overlapping(self):
        """Other signed contracts of the user in force on one of this one's days."""
        if self.status != self.Status.SIGNED or not self.start_date or not self.user_id:
            return Contract.objects.none()
        end = self.end_date or dt.date.max
        return (
            Contract.objects.for_user(self.user_id)
            .in_force_between(self.start_date, end)
            .exclude(pk=self.pk)
        )

    @property
    def dates(self) -> str:
        """ "Jan 1, 2026 to Jun 30, 2027", or "from Jan 1, 2026" while it runs."""
        start = f"{self.start_date:%b} {self.start_date.day}, {self.start_date.year}"
        if not self.end_date:
            return f"from {start}"
        return f"{start} to {self.end_date:%b} {self.end_date.day}, {self.end_date.year}"

    def as_terms(self) -> engine.Terms:
        """The engine's view of the contract (prefetch with ContractQuerySet.with_terms)."""
        return engine.Terms(
            name=self.name,
            start=self.start_date,
            end=self.end_date,
            base_salary=self.base_salary,
            threshold_wrvu=self.threshold_wrvu,
            tiers=tuple(engine.Tier(t.from_wrvu, t.rate) for t in self.tiers.all()),
            figure=self.figure,
            bonuses=tuple(
                engine.Bonus(b.name, b.kind, b.value, b.achieved_percent)
                for b in self.bonuses.all()
            ),
            stipends=tuple(
                engine.Stipend(s.kind, s.annual_amount, s.name) for s in self.stipends.all()
            ),
            location_rates=tuple(
                engine.LocationRate(r.location_id, r.location.name, r.rate)
                for r in self.location_rates.all()
            ),
            reconciliation=self.reconciliation,
            draw=self.draw,
            shortfall=self.shortfall,
        )


def overlap_message(other: Contract) -> str:
    return (
        f"“{other.name}” ({other.dates}) is in force on some of these dates: signed contracts "
        "must not overlap. End one the day before the other starts, or save this as an offer."
    )


class ContractTier(models.Model):
    """From `from_wrvu` wRVUs in the year, each wRVU pays `rate` (marginal)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="tiers")
    from_wrvu = models.DecimalField("from wRVU", **WRVU)
    rate = models.DecimalField("$ per wRVU", **RATE)

    class Meta:
        ordering = ["from_wrvu"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "from_wrvu"], name="contracts_tier_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(from_wrvu__gte=0, rate__gte=0), name="contracts_tier_not_negative"
            ),
        ]

    def __str__(self):
        return f"from {rounding.fixed(self.from_wrvu, 2, grouped=True)} wRVU: ${self.rate}"


class ContractBonus(models.Model):
    class Kind(models.TextChoices):
        PERCENT = engine.PERCENT, "% of base salary"
        FIXED = engine.FIXED, "$ a year"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="bonuses")
    name = models.CharField(max_length=60, help_text="e.g. Quality, Patient experience.")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        "amount", help_text="A percentage of base, or dollars a year.", **MONEY
    )
    achieved_percent = models.DecimalField(
        "achieved, %",
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        validators=PERCENT,
        help_text="How much of it you expect to earn.",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "contract bonuses"
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0, achieved_percent__gte=0, achieved_percent__lte=100),
                name="contracts_bonus_in_range",
            )
        ]

    def __str__(self):
        return self.name


class ContractStipend(models.Model):
    class Kind(models.TextChoices):
        CALL = "call", "Call"
        ADMIN = "admin", "Administrative"
        TEACHING = "teaching", "Teaching"
        OTHER = "other", "Other"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="stipends")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CALL)
    name = models.CharField(max_length=60, blank=True, help_text="Optional, e.g. Medical director.")
    annual_amount = models.DecimalField("$ a year", **MONEY)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_amount__gte=0), name="contracts_stipend_not_negative"
            )
        ]

    def __str__(self):
        return self.name or self.get_kind_display()


class ContractLocationRate(models.Model):
    """Entries logged at `location` are paid at `rate`, outside the threshold and tiers."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="location_rates")
    location = models.ForeignKey("tracking.Location", on_delete=models.CASCADE, related_name="+")
    rate = models.DecimalField("$ per wRVU", **RATE)

    class Meta:
        ordering = ["location__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "location"], name="contracts_location_rate_unique"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0), name="contracts_location_rate_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.location}: ${self.rate}"
