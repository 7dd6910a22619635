"""Benchmarks in the admin: staff upload a CSV table and see every row before it is saved."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse

from .models import Benchmark
from .parsing import parse_benchmarks
from .services import benchmarks_replace

MAX_UPLOAD = 2 * 1024 * 1024
SESSION_KEY = "benchmark_upload"


class BenchmarkUploadForm(forms.Form):
    table = forms.CharField(
        max_length=120,
        initial="Public figures",
        help_text="The table's rows are replaced together, e.g. “MGMA 2025 (licensed)”.",
    )
    file = forms.FileField(help_text="CSV: specialty, population, statistic, annual_wrvu, "
                           "survey_year, source (optional specialty_key).")  # fmt: skip

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 2 MB.")
        return upload


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin):
    list_display = ["specialty", "population", "statistic", "annual_wrvu", "survey_year", "table"]
    list_filter = ["table", "statistic", "survey_year", "specialty_key"]
    search_fields = ["specialty", "population", "source"]
    change_list_template = "admin/benchmarks/benchmark/change_list.html"

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [
            path("upload/", upload, name="benchmarks_benchmark_upload"),
            *super().get_urls(),
        ]

    def upload_view(self, request):
        """Upload a CSV, see every row (and every problem) before anything is saved."""
        if not self.has_add_permission(request) or not self.has_delete_permission(request):
            raise PermissionError
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        if request.method == "POST" and "confirm" in request.POST:
            pending = request.session.pop(SESSION_KEY, None)
            if not pending:
                messages.error(request, "Nothing to load: upload the file again.")
                return redirect("admin:benchmarks_benchmark_upload")
            parsed = parse_benchmarks(pending["data"].encode(), file_name=pending["name"])
            count = benchmarks_replace(table=pending["table"], rows=parsed.rows)
            messages.success(request, f"Loaded {count} rows into “{pending['table']}”.")
            return redirect(reverse("admin:benchmarks_benchmark_changelist"))
        form = BenchmarkUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            parsed = parse_benchmarks(data, file_name=upload.name)
            context["parsed"] = parsed
            context["table"] = form.cleaned_data["table"]
            context["replacing"] = Benchmark.objects.filter(table=context["table"]).count()
            if not parsed.errors:
                request.session[SESSION_KEY] = {
                    "table": context["table"],
                    "name": upload.name,
                    "data": data.decode("utf-8-sig"),
                }
        context["form"] = form
        return render(request, "admin/benchmarks/benchmark/upload.html", context)
