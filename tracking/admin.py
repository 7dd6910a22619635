from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse

from tracking.benchmarks import benchmarks_replace, parse_benchmarks
from tracking.models import (
    Benchmark,
    ImportJob,
    ImportMapping,
    Location,
    Preferences,
    ProcedureLog,
)

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
    change_list_template = "admin/tracking/benchmark/change_list.html"

    def get_urls(self):
        upload = self.admin_site.admin_view(self.upload_view)
        return [
            path("upload/", upload, name="tracking_benchmark_upload"),
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
                return redirect("admin:tracking_benchmark_upload")
            parsed = parse_benchmarks(pending["data"].encode(), file_name=pending["name"])
            count = benchmarks_replace(table=pending["table"], rows=parsed.rows)
            messages.success(request, f"Loaded {count} rows into “{pending['table']}”.")
            return redirect(reverse("admin:tracking_benchmark_changelist"))
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
        return render(request, "admin/tracking/benchmark/upload.html", context)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "default_setting", "dollars_per_wrvu"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    """A user's goal and pay settings (they were on the user's admin page before)."""

    list_display = [
        "user", "annual_wrvu_target", "dollars_per_wrvu", "fiscal_year_start_month", "goal_figure",
    ]  # fmt: skip
    list_filter = ["goal_figure", "fiscal_year_start_month"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(ProcedureLog)
class ProcedureLogAdmin(admin.ModelAdmin):
    """Read-only: entries change through the user's own pages and API, with history."""

    list_display = ["date", "user", "code", "modifiers", "units", "medicare", "release"]
    list_filter = ["setting", "role", "release"]
    search_fields = ["user__email", "code__code"]
    list_select_related = ["user", "code", "release"]
    raw_id_fields = ["user", "encounter", "code", "location", "release"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: to see where a user's import stands. The uploaded file itself is not shown."""

    list_display = ["created_at", "user", "filename", "status", "rows_total", "rows_imported"]
    list_filter = ["status", "file_type", "mode"]
    search_fields = ["user__email", "filename"]
    list_select_related = ["user"]
    exclude = ["data"]
    readonly_fields = [
        "user", "filename", "file_type", "headers", "columns", "status", "mode",
        "skip_duplicates", "release", "rows_total", "rows_done", "rows_imported", "errors",
        "message", "created_at", "started_at", "finished_at",
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["user", "updated_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
