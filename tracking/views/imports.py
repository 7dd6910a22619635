"""Import from a CSV or XLSX file: upload, map columns, preview, import, progress, run again."""

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tracking import jobs
from tracking.forms.reports import ImportMappingForm, ImportRunForm, ImportUploadForm
from tracking.models import ImportJob
from tracking.portability import imports
from tracking.submissions import submitted_once
from tracking.views.entry import current_release_or_404

PREVIEW_ERRORS_SHOWN = 500
PREVIEW_SAMPLE = 20


def _job(request, pk):
    return get_object_or_404(
        ImportJob.objects.select_related("release").defer("data"), pk=pk, user=request.user
    )


@login_required
def upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_job_create(
                user=request.user,
                upload=form.cleaned_data["file"],
                release=current_release_or_404(),
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("tracking:import_map", pk=job.pk)
    recent = ImportJob.objects.for_user(request.user).defer("data")[:10]
    return render(
        request,
        "tracking/import.html",
        {"form": form, "jobs": [jobs.job_check(job) for job in recent], "fields": imports.FIELDS},
        status=400 if form.errors else 200,
    )


@login_required
def mapping(request, pk):
    job = _job(request, pk)
    if job.status not in (ImportJob.Status.MAPPING, ImportJob.Status.PREVIEW):
        return redirect("tracking:import_job", pk=job.pk)
    form = ImportMappingForm(request.POST or None, job=job)
    if request.method == "POST" and form.is_valid():
        try:
            imports.import_mapping_save(job=job, columns=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("tracking:import_job", pk=job.pk)
    return render(
        request,
        "tracking/import_map.html",
        {"job": job, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def job_detail(request, pk):
    """Before the import: every bad row and likely duplicate, and the choice of how to import.
    During and after: progress and the result."""
    job = jobs.job_check(_job(request, pk))
    if job.status == ImportJob.Status.MAPPING:
        return redirect("tracking:import_map", pk=job.pk)
    context = {"job": job, "progress": imports.job_progress(job)}
    if job.status == ImportJob.Status.PREVIEW:
        job = ImportJob.objects.select_related("release").get(pk=job.pk)
        rows = imports.check_rows(request.user, job)
        bad = [row for row in rows if not row.ok]
        duplicates = [row for row in rows if row.duplicate]
        groups = imports.encounter_groups([row for row in rows if row.ok])
        flagged = [row for row in rows if row.ok and row.release_flag]
        context |= {
            "job": job,
            "rows": len(rows),
            "bad": bad[:PREVIEW_ERRORS_SHOWN],
            "bad_count": len(bad),
            "duplicates": duplicates[:PREVIEW_ERRORS_SHOWN],
            "duplicate_count": len(duplicates),
            "warned": [row for row in rows if row.warnings][:PREVIEW_ERRORS_SHOWN],
            "sample": _sample(groups),
            "encounter_count": len(groups),
            "places_in_location": imports.places_in_location(rows, job.columns)[:5],
            "grouped_by": job.columns.get("encounter", ""),
            "release_groups": imports.release_groups(rows),
            "flagged": flagged[:PREVIEW_SAMPLE],
            "flagged_count": len(flagged),
            "valid_count": len(rows) - len(bad),
            "run_form": ImportRunForm(initial={"mode": ImportJob.Mode.VALID_ROWS}),
            "fields": imports.FIELDS,
            "is_async": job.rows_total > imports.async_threshold(),
        }
    return render(request, "tracking/import_job.html", context)


def _sample(groups) -> list[tuple[int, object]]:
    """(encounter number, row) for the first valid rows, in file order: the preview shows which
    rows will be ranked together without showing the reference that groups them."""
    numbered = sorted(
        ((row.line, number, row) for number, rows in enumerate(groups, 1) for row in rows),
        key=lambda item: item[0],
    )
    return [(number, row) for _, number, row in numbered[:PREVIEW_SAMPLE]]


@login_required
@require_POST
@submitted_once("import_run", atomic=False)
def run(request, pk):
    job = _job(request, pk)
    form = ImportRunForm(request.POST)
    if form.is_valid():
        # A job already started raises: the job page shows where it is.
        with contextlib.suppress(ValidationError):
            imports.import_job_start(
                job=job,
                mode=form.cleaned_data["mode"],
                skip_duplicates=form.cleaned_data["skip_duplicates"],
            )
    return redirect("tracking:import_job", pk=job.pk)


@login_required
def progress(request, pk):
    """The progress fragment the job page polls (htmx) while the import runs; it says so when
    the worker running the import died."""
    job = jobs.job_check(_job(request, pk))
    return render(
        request,
        "tracking/import_progress.html",
        {"job": job, "progress": imports.job_progress(job)},
    )


@login_required
@require_POST
def again(request, pk):
    """Run an import that stopped (its worker died) again."""
    job = _job(request, pk)
    try:
        imports.import_job_again(job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tracking:import_job", pk=job.pk)
