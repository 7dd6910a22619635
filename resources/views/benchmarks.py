"""The public benchmark table: every loaded figure with its source and year."""

from django.shortcuts import render

from benchmarks.models import Benchmark


def benchmarks_page(request):
    rows = Benchmark.objects.order_by("specialty", "survey_year", "population", "annual_wrvu")
    return render(request, "resources/benchmarks.html", {"rows": rows})
