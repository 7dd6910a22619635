"""NCCI edit sets in the admin: what is imported, from which files, a load in progress, and an
import of uploaded files (or a CMS address) run by the worker with its progress. Edits are
written by ncci.services only; staff see them read-only."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path

from rvuedge.admin_base import ReadOnlyAdmin

from . import jobs, tasks
from .models import AddOnEdit, EditSet, Mue, PtpEdit
from .services import progress_key

UPLOAD_SUFFIXES = (".zip", ".csv", ".xlsx", ".txt", ".gz")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class EditImportForm(forms.Form):
    files = MultipleFileField(
        required=False,
        help_text="CMS's files as downloaded: the MUE zip or csv, the add-on code edit zip or "
        "xlsx, or a quarter's four PTP parts (ccipra-v…-f1.zip to f4.zip) together.",
    )
    url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Or a CMS address",
        help_text="e.g. https://www.cms.gov/files/zip/aoc-v2026q3-mcr.zip",
    )

    def clean_files(self):
        uploads = self.cleaned_data["files"]
        wrong = [u.name for u in uploads if not u.name.lower().endswith(UPLOAD_SUFFIXES)]
        if wrong:
            raise forms.ValidationError(
                f"Not an NCCI edit file: {', '.join(wrong)} (zip, csv, xlsx, txt or gz)."
            )
        limit = int(settings.CMS_DOWNLOAD_MAX_BYTES)
        if sum(u.size for u in uploads) > limit:
            raise forms.ValidationError(
                f"The files are larger than {limit:,} bytes together (CMS_DOWNLOAD_MAX_BYTES)."
            )
        return uploads

    def clean(self):
        cleaned = super().clean()
        if not self.errors and bool(cleaned.get("files")) == bool(cleaned.get("url")):
            raise forms.ValidationError("Upload the files or give a CMS address (one of them).")
        return cleaned


@admin.register(EditSet)
class EditSetAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "effective_on", "rows", "loaded_at"]
    list_filter = ["kind"]
    fields = ["kind", "version", "effective_on", "rows", "files", "content_hash", "source_url",
              "loaded_at"]  # fmt: skip
    change_list_template = "admin/ncci/editset/change_list.html"

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("ncci.add_editset")

    def changelist_view(self, request, extra_context=None):
        loading = [cache.get(progress_key(kind)) for kind in EditSet.Kind.values]
        for state in filter(None, loading):
            self.message_user(
                request, f"Loading {state['version']}: {state['done']:,} of {state['total']:,}."
            )
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="ncci_editset_import"),
            path("import/<str:token>/", wrap(self.job_view), name="ncci_editset_import_job"),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **extra}

    def import_view(self, request):
        """Upload edit files (or give a CMS address); the worker imports them."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = EditImportForm(request.POST, request.FILES) if posted else EditImportForm()
        if posted and form.is_valid():
            token, source = jobs.job_create(
                uploads=form.cleaned_data["files"], url=form.cleaned_data["url"]
            )
            transaction.on_commit(lambda: tasks.import_edit_files.delay(token, source))
            return redirect("admin:ncci_editset_import_job", token=token)
        context = self._context(request, form=form, title="Import NCCI edit files")
        return render(request, "admin/ncci/editset/import.html", context)

    def job_view(self, request, token):
        """Where an import stands; the page reloads itself until it ends."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = jobs.state(token)
        context = self._context(request, job=job, title="NCCI import", statuses=jobs)
        return render(request, "admin/ncci/editset/import_job.html", context)


@admin.register(Mue)
class MueAdmin(ReadOnlyAdmin):
    list_display = ["code", "units", "mai", "rationale", "edit_set"]
    list_filter = ["mai", "edit_set"]
    search_fields = ["code"]


@admin.register(AddOnEdit)
class AddOnEditAdmin(ReadOnlyAdmin):
    list_display = ["addon", "primary", "edit_type", "effective_on", "deleted_on", "edit_set"]
    list_filter = ["edit_type", "edit_set"]
    search_fields = ["addon", "primary"]


@admin.register(PtpEdit)
class PtpEditAdmin(ReadOnlyAdmin):
    list_display = ["column1", "column2", "modifier", "effective_on", "deleted_on", "edit_set"]
    list_filter = ["modifier", "edit_set"]
    search_fields = ["column1", "column2"]
