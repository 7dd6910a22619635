"""Admin for fee schedule releases: status, progress, errors, change summary and two actions.

Release data is written by codes.services only; the admin shows it read-only.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from rvuedge.admin_base import ReadOnlyAdmin

from . import selectors, services
from .models import (
    CategoryContent,
    Code,
    CodeContent,
    CodeFaq,
    Locality,
    LocalityPreference,
    OppsCap,
    RelativeValue,
    Release,
    SourceFile,
)


class SourceFileInline(admin.TabularInline):
    model = SourceFile
    fields = ["kind", "file_name", "row_count", "sha256", "imported_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "year",
        "quarter",
        "conversion_factor",
        "rvu_count",
        "code_count",
        "locality_count",
        "progress",
        "released_on",
        "loaded_at",
        "short_error",
    ]
    list_filter = ["status", "year", "is_qp"]
    actions = ["make_current", "reimport"]
    inlines = [SourceFileInline]
    readonly_fields = [
        "name",
        "year",
        "quarter",
        "revised",
        "is_qp",
        "status",
        "effective_on",
        "released_on",
        "conversion_factor",
        "anesthesia_conversion_factor",
        "qp_anesthesia_conversion_factor",
        "source",
        "source_sha256",
        "rvu_count",
        "code_count",
        "locality_count",
        "opps_cap_count",
        "progress",
        "localities_note",
        "error",
        "changes",
        "created_at",
        "loaded_at",
        "made_current_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # releases come from imports (manage.py import_fee_schedule, the refresh)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # older releases stay: logged work was priced from them

    def has_manage_permission(self, request):
        """Who may switch the current release or re-run an import (the actions below)."""
        return request.user.has_perm("codes.change_release")

    @admin.display(description="progress")
    def progress(self, release):
        done, total = selectors.release_progress(release)
        if not total:
            return "-"
        return f"{done:,} / {total:,} rows ({done * 100 // total}%)"

    @admin.display(description="error")
    def short_error(self, release):
        return release.error[:120] + ("..." if len(release.error) > 120 else "")

    @admin.display(description="localities")
    def localities_note(self, release):
        locality_set = selectors.localities_for_release(release)
        if locality_set.note:
            return locality_set.note
        if locality_set.source == release:
            return f"{release.locality_count} localities from its own GPCI file"
        return f"Localities of {locality_set.origin.label} (the year's locality files)"

    @admin.display(description="changes from the previous current release")
    def changes(self, release):
        summary = release.change_summary
        if not summary:
            return "-"
        added, removed = summary["codes_added"], summary["codes_removed"]
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (c["code"], c["modifier"] or "-", c["old"], c["new"])
                for c in summary["largest_work_rvu_changes"][:50]
            ),
        )
        return format_html(
            "<p>Versus {}: {} codes added, {} removed; work RVU changed on {} rows "
            "({} up, {} down).</p>"
            "<p><strong>Added:</strong> {}</p><p><strong>Removed:</strong> {}</p>"
            "<table><thead><tr><th>Code</th><th>Modifier</th><th>Old work RVU</th>"
            "<th>New work RVU</th></tr></thead><tbody>{}</tbody></table>",
            summary["previous"],
            len(added),
            len(removed),
            summary["work_rvu_changes"],
            summary["work_rvu_increased"],
            summary["work_rvu_decreased"],
            ", ".join(added) or "none",
            ", ".join(removed) or "none",
            rows,
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/make-current/",
                wrap(require_POST(self.make_current_view)),
                name="codes_release_make_current",
            ),
            path(
                "<int:pk>/reimport/",
                wrap(require_POST(self.reimport_view)),
                name="codes_release_reimport",
            ),
            *super().get_urls(),
        ]

    def make_current_view(self, request, pk):
        if not self.has_manage_permission(request):
            raise PermissionDenied
        release = get_object_or_404(Release, pk=pk)
        self.make_current(request, Release.objects.filter(pk=release.pk))
        return redirect(reverse("admin:codes_release_change", args=[release.pk]))

    def reimport_view(self, request, pk):
        if not self.has_manage_permission(request):
            raise PermissionDenied
        release = get_object_or_404(Release, pk=pk)
        self.reimport(request, Release.objects.filter(pk=release.pk))
        return redirect(reverse("admin:codes_release_change", args=[release.pk]))

    @admin.action(description="Make the selected release current", permissions=["manage"])
    def make_current(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one release.", messages.ERROR)
            return
        release = queryset.get()
        try:
            services.release_make_current(release=release)
        except services.FeeScheduleImportError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, f"{release} is now the current release.", messages.SUCCESS)

    @admin.action(
        description="Re-run the import of the selected failed releases", permissions=["manage"]
    )
    def reimport(self, request, queryset):
        for release in queryset:
            if release.status not in (Release.Status.FAILED, Release.Status.LOADING):
                self.message_user(request, f"{release} did not fail; skipped.", messages.WARNING)
                continue
            try:
                outcome = services.release_reimport(release=release)
            except services.FeeScheduleImportError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, outcome.message, messages.SUCCESS)


@admin.register(Code)
class CodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "category", "short_descriptor", "hcpcs_terminated_on"]
    list_filter = ["kind", "category"]
    search_fields = ["code", "short_descriptor", "long_descriptor"]


@admin.register(RelativeValue)
class RelativeValueAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "modifier",
        "release",
        "status",
        "work_rvu",
        "non_facility_total",
        "facility_total",
        "global_days",
    ]
    list_filter = ["release", "status", "modifier"]
    search_fields = ["code__code"]
    list_select_related = ["code", "release"]
    show_full_result_count = False


@admin.register(Locality)
class LocalityAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "state",
        "mac",
        "locality_number",
        "work_gpci",
        "work_gpci_without_floor",
        "pe_gpci",
        "mp_gpci",
        "anesthesia_conversion_factor",
        "qp_anesthesia_conversion_factor",
        "release",
    ]
    list_filter = ["release", "state"]
    search_fields = ["name", "counties"]


@admin.register(OppsCap)
class OppsCapAdmin(ReadOnlyAdmin):
    list_display = [
        "code",
        "modifier",
        "carrier",
        "locality_number",
        "facility_price",
        "non_facility_price",
        "release",
    ]
    list_filter = ["release"]
    search_fields = ["code__code"]
    list_select_related = ["code", "release"]
    show_full_result_count = False


# --- Editorial content (codes.content falls back to computed sentences where these are empty) ---


class CodeFaqInline(admin.TabularInline):
    model = CodeFaq
    fields = ["position", "question", "answer"]
    extra = 1


@admin.register(CodeContent)
class CodeContentAdmin(admin.ModelAdmin):
    list_display = ["code", "short_summary", "faq_count", "updated_at"]
    search_fields = ["code__code", "synonyms", "summary"]
    autocomplete_fields = ["code"]
    inlines = [CodeFaqInline]
    fields = [
        "code",
        "synonyms",
        "summary",
        "plain_language",
        "clinical_context",
        "billing_notes",
        "related",
    ]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("code").annotate(faq_total=Count("faqs"))
        )

    @admin.display(description="summary")
    def short_summary(self, obj):
        return obj.summary[:100]

    @admin.display(description="FAQs", ordering="faq_total")
    def faq_count(self, obj):
        return obj.faq_total


@admin.register(CategoryContent)
class CategoryContentAdmin(admin.ModelAdmin):
    list_display = ["category", "updated_at"]
    search_fields = ["category"]


@admin.register(LocalityPreference)
class LocalityPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "locality_key", "updated_at"]
    search_fields = ["locality_key"]
