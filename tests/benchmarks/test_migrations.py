"""Benchmarks moved from tracking to the benchmarks app: every uploaded table's rows move
there, upload times included, before tracking's table is dropped; reversing moves them back."""

import datetime as dt
from decimal import Decimal

import pytest

from benchmarks.models import Benchmark
from tests.migrations_helper import migrated_back_to

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tracking", "0003_import_jobs"), ("benchmarks", None)]
UPLOADED = dt.datetime(2025, 6, 7, 8, 9, tzinfo=dt.UTC)
ROW = {
    "specialty": "Cardiology", "specialty_key": "cardiology", "population": "all",
    "statistic": "median", "annual_wrvu": Decimal("9000.50"), "survey_year": 2024,
    "source": "Our 2024 survey",
}  # fmt: skip


def test_every_table_is_copied_with_its_upload_time():
    with migrated_back_to(BEFORE) as apps:
        Old = apps.get_model("tracking", "Benchmark")
        Old.objects.create(table="Group 2024", **ROW)
        Old.objects.create(table="Public figures", **ROW | {"statistic": "p75"})
        Old.objects.update(created_at=UPLOADED)

    rows = Benchmark.objects.order_by("table")
    assert [(r.table, r.statistic) for r in rows] == [
        ("Group 2024", "median"),
        ("Public figures", "p75"),
    ]
    assert {r.created_at for r in rows} == {UPLOADED}
    assert rows[0].annual_wrvu == Decimal("9000.50") and rows[0].source == "Our 2024 survey"


def test_reversing_moves_the_rows_back_to_tracking_and_forward_again():
    Benchmark.objects.create(table="Group 2024", **ROW)

    with migrated_back_to(
        [("tracking", "0003_import_jobs"), ("benchmarks", "0001_initial")]
    ) as apps:
        assert not apps.get_model("benchmarks", "Benchmark").objects.exists()
        old = apps.get_model("tracking", "Benchmark").objects.get()
        assert (old.table, old.specialty, old.annual_wrvu) == (
            "Group 2024", "Cardiology", ROW["annual_wrvu"],
        )  # fmt: skip

    assert Benchmark.objects.get().table == "Group 2024"
