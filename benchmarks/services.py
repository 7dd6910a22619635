"""Writes for benchmark tables: a named table's rows are replaced together."""

from django.db import transaction

from .models import Benchmark


@transaction.atomic
def benchmarks_replace(*, table: str, rows: list[dict]) -> int:
    """Replace every row of the named table with these rows (from parsing.parse_benchmarks)."""
    Benchmark.objects.filter(table=table).delete()
    Benchmark.objects.bulk_create(Benchmark(table=table, **row) for row in rows)
    return len(rows)
