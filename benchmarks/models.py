from django.db import models
from django.db.models import Q


class BenchmarkQuerySet(models.QuerySet):
    def for_specialty(self, specialty: str):
        return self.filter(specialty_key=specialty)


class Benchmark(models.Model):
    """A published productivity figure, with its source. Loaded from CSV by staff; a practice
    may load its own licensed percentile table. Never labelled with a source it does not cite."""

    class Statistic(models.TextChoices):
        P25 = "p25", "25th percentile"
        MEDIAN = "median", "Median"
        P75 = "p75", "75th percentile"
        P90 = "p90", "90th percentile"
        MEAN = "mean", "Mean"

    specialty = models.CharField(max_length=120, help_text="As the source names it.")
    specialty_key = models.CharField(
        max_length=32,
        blank=True,
        db_index=True,
        help_text="The RVU Edge specialty it compares with (accounts' specialty list).",
    )
    population = models.CharField(max_length=120, blank=True)
    statistic = models.CharField(max_length=8, choices=Statistic.choices)
    annual_wrvu = models.DecimalField(max_digits=9, decimal_places=2)
    survey_year = models.PositiveSmallIntegerField()
    source = models.TextField(help_text="The full citation, shown beside the figure.")
    table = models.CharField(
        max_length=120,
        default="Public figures",
        help_text="The uploaded table the row came from; a table's rows are replaced together.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BenchmarkQuerySet.as_manager()

    class Meta:
        ordering = ["specialty", "population", "statistic"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "specialty", "population", "statistic", "survey_year"],
                name="benchmarks_benchmark_unique",
            ),
            models.CheckConstraint(
                condition=Q(annual_wrvu__gt=0), name="benchmarks_benchmark_positive"
            ),
        ]

    def __str__(self):
        return f"{self.specialty}, {self.get_statistic_display()}, {self.survey_year}"
