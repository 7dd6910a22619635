"""NCCI edit sets in the admin: what is imported, from which files, and a load in progress.
Edits are written by ncci.services only; staff see them read-only."""

from django.contrib import admin
from django.core.cache import cache

from rvuedge.admin_base import ReadOnlyAdmin

from .models import AddOnEdit, EditSet, Mue, PtpEdit
from .services import progress_key


@admin.register(EditSet)
class EditSetAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "effective_on", "rows", "loaded_at"]
    list_filter = ["kind"]
    fields = ["kind", "version", "effective_on", "rows", "files", "content_hash", "source_url",
              "loaded_at"]  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        loading = [cache.get(progress_key(kind)) for kind in EditSet.Kind.values]
        for state in filter(None, loading):
            self.message_user(
                request, f"Loading {state['version']}: {state['done']:,} of {state['total']:,}."
            )
        return super().changelist_view(request, extra_context)


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
