from collections import defaultdict

from django.contrib import admin

from tracking import services
from tracking.models import (
    ImportJob,
    ImportMapping,
    Location,
    Preferences,
    ProcedureLog,
    RestoreJob,
)


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

    # A delete goes through the service, as the user's own would: recorded in the history, the
    # encounter re-ranked, the daily totals kept exact.
    def delete_model(self, request, obj):
        services.procedure_logs_delete(user=obj.user, logs=[obj])

    def delete_queryset(self, request, queryset):
        by_user = defaultdict(list)
        for log in queryset.select_related("user", "code"):
            by_user[log.user].append(log)
        for user, logs in by_user.items():
            services.procedure_logs_delete(user=user, logs=logs)


class _JobAdmin(admin.ModelAdmin):
    """Import and restore jobs: read-only, without the uploaded file."""

    search_fields = ["user__email", "filename"]
    list_select_related = ["user"]
    exclude = ["data"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(_JobAdmin):
    """Read-only: to see where a user's import stands. The uploaded file itself is not shown."""

    list_display = ["created_at", "user", "filename", "status", "rows_total", "rows_imported"]
    list_filter = ["status", "file_type", "mode"]
    readonly_fields = [
        "user", "filename", "file_type", "headers", "columns", "status", "mode",
        "skip_duplicates", "release", "rows_total", "rows_done", "rows_imported", "errors",
        "message", "attempts", "created_at", "started_at", "finished_at",
    ]  # fmt: skip


@admin.register(RestoreJob)
class RestoreJobAdmin(_JobAdmin):
    """Read-only: to see where a user's restore stands. The uploaded backup is not shown."""

    list_display = ["created_at", "user", "filename", "status", "size", "rows_done"]
    list_filter = ["status", "replace"]
    readonly_fields = [
        "user", "filename", "size", "replace", "status", "rows_total", "rows_done", "counts",
        "message", "attempts", "created_at", "started_at", "finished_at",
    ]  # fmt: skip


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["user", "updated_at"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]
