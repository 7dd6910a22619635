"""Benchmark tables: the bundled figures, the CSV checks and the staff upload in the admin."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from benchmarks.models import Benchmark
from benchmarks.parsing import parse_benchmarks, specialty_key

pytestmark = pytest.mark.django_db
HEADER = "specialty,population,statistic,annual_wrvu,survey_year,source\n"


def test_the_bundled_public_figures_load_with_their_citations():
    call_command("load_benchmarks", verbosity=0)
    call_command("load_benchmarks", verbosity=0)  # idempotent: the table is replaced

    rows = Benchmark.objects.order_by("specialty", "population")
    assert rows.count() == 6
    surgery = rows.filter(specialty="General Surgery", population="academic surgeons").get()
    assert (surgery.statistic, surgery.annual_wrvu, surgery.survey_year) == (
        "mean",
        Decimal("9109"),
        2022,
    )
    assert "Annals of Surgery" in surgery.source
    assert surgery.specialty_key == "general_surgery"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Family Medicine (without OB)", "family_medicine"),
        ("Diagnostic Radiology", "radiology"),
        ("Gastroenterology", "gastroenterology"),
        ("Underwater Basket Weaving", ""),
    ],
)
def test_specialties_are_matched_by_name(name, key):
    assert specialty_key(name) == key


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Cardiology,all,p99,9000,2024,Src", "line 2: column statistic: 'p99' is not one of"),
        (
            "Cardiology,all,median,lots,2024,Src",
            "line 2: column annual_wrvu: 'lots' is not a positive",
        ),
        ("Cardiology,all,median,-5,2024,Src", "line 2: column annual_wrvu: '-5' is not a positive"),
        ("Cardiology,all,median,9000,24,Src", "line 2: column survey_year: '24' is not a year"),
        ("Cardiology,all,median,9000,2024,", "line 2: column source: empty"),
    ],
)
def test_bad_rows_are_named_by_line_and_column(line, message):
    parsed = parse_benchmarks((HEADER + line + "\n").encode(), file_name="table.csv")

    assert parsed.rows == []
    assert any(message in error for error in parsed.errors), parsed.errors


def test_a_file_without_the_columns_is_refused():
    parsed = parse_benchmarks(b"name,value\nx,1\n", file_name="other.csv")

    assert parsed.errors == ["other.csv: missing column(s) specialty, population, statistic, "
                             "annual_wrvu, survey_year, source."]  # fmt: skip


def test_staff_preview_then_load_a_table(admin_client):
    data = (HEADER + "Cardiology,all,median,9000,2024,Our 2024 survey\n"
            "Cardiology,all,p75,11000,2024,Our 2024 survey\n").encode()  # fmt: skip
    url = reverse("admin:benchmarks_benchmark_upload")

    preview = admin_client.post(
        url, {"table": "Group 2024", "file": SimpleUploadedFile("t.csv", data, "text/csv")}
    )
    assert "Preview: 2 rows" in preview.content.decode()
    assert not Benchmark.objects.exists()

    admin_client.post(url, {"confirm": "1"})
    assert sorted(Benchmark.objects.values_list("statistic", flat=True)) == ["median", "p75"]
    assert set(Benchmark.objects.values_list("table", flat=True)) == {"Group 2024"}


def test_staff_upload_with_errors_loads_nothing(admin_client):
    data = (HEADER + "Cardiology,all,median,nine,2024,Src\n").encode()

    response = admin_client.post(
        reverse("admin:benchmarks_benchmark_upload"),
        {"table": "Bad", "file": SimpleUploadedFile("bad.csv", data, "text/csv")},
    )
    admin_client.post(reverse("admin:benchmarks_benchmark_upload"), {"confirm": "1"})

    assert "nothing was loaded" in response.content.decode()
    assert not Benchmark.objects.exists()
