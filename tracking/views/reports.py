"""Reports and exports of a filtered period, and the JSON backup with its restore (a job with
a page that shows its progress and outcome)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tracking import jobs
from tracking.forms.entry import HistoryFilterForm
from tracking.forms.reports import RestoreForm
from tracking.models import ProcedureLog, RestoreJob
from tracking.portability import backup
from tracking.portability.exports import csv_stream, xlsx_file
from tracking.portability.pdf import pdf_bytes
from tracking.portability.reports import report_build, report_totals_of_days

RECENT_RESTORES = 5
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _filtered(request):
    filters = HistoryFilterForm(request.GET or None, user=request.user)
    queryset = filters.filter(ProcedureLog.objects.for_user(request.user))
    return filters, queryset


def _totals(filters: HistoryFilterForm, user):
    """What the filters select, summed from the daily totals (the same figures as summing the
    entries); None when the filters are wrong."""
    if filters.errors:
        return None
    return report_totals_of_days(filters.daily_totals(user))


def filter_labels(filters: HistoryFilterForm) -> list[str]:
    """The filters in words, for the report's header."""
    if not filters.is_bound or not filters.is_valid():
        return []
    data = filters.cleaned_data
    labels = []
    if data.get("start"):
        labels.append(f"from {data['start']:%Y-%m-%d}")
    if data.get("end"):
        labels.append(f"to {data['end']:%Y-%m-%d}")
    if data.get("code"):
        labels.append(f"code {data['code'].strip().upper()}")
    if data.get("location"):
        labels.append(f"location {data['location'].name}")
    for name in ("setting", "role"):
        if data.get(name):
            labels.append(f"{name} {dict(filters.fields[name].choices)[data[name]].lower()}")
    return labels


def _filename(filters: HistoryFilterForm, extension: str) -> str:
    stamp = timezone.localdate().isoformat()
    if filters.is_bound and filters.is_valid():
        start, end = filters.cleaned_data.get("start"), filters.cleaned_data.get("end")
        if start or end:
            stamp = f"{start or 'start'}_{end or 'today'}"
    return f"rvuedge-wrvu-{stamp}.{extension}"


@login_required
def reports(request):
    """The filter form, what it selects, and the three downloads; backup and restore."""
    filters = HistoryFilterForm(request.GET or None, user=request.user)
    query = request.GET.urlencode()
    return render(
        request,
        "tracking/reports.html",
        {
            "filters": filters,
            "totals": _totals(filters, request.user),
            "query": f"?{query}" if query else "",
            "restore_form": RestoreForm(),
            "restores": _recent_restores(request.user),
        },
        status=400 if filters.errors else 200,
    )


@login_required
def export(request, fmt):
    """The filtered entries as CSV (streamed), XLSX or PDF."""
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format.")
    filters, queryset = _filtered(request)
    if filters.errors:
        return reports(request)
    filename = _filename(filters, fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(queryset), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if fmt == "xlsx":
        report = report_build(queryset)
        title = "RVU Edge wRVU export: " + ("; ".join(filter_labels(filters)) or "all entries")
        return FileResponse(
            xlsx_file(queryset, report, title=title),
            as_attachment=True,
            filename=filename,
            content_type=CONTENT_TYPES["xlsx"],
        )
    report = report_build(queryset, entries=True, user=request.user)
    body = pdf_bytes(
        report,
        user=request.user,
        filters=filter_labels(filters),
        generated_at=timezone.localtime(),
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES["pdf"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def backup_download(request):
    response = StreamingHttpResponse(
        backup.backup_stream(request.user), content_type="application/json"
    )
    name = f"rvuedge-backup-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _recent_restores(user) -> list[RestoreJob]:
    recent = RestoreJob.objects.for_user(user).defer("data")[:RECENT_RESTORES]
    return [jobs.job_check(job) for job in recent]


@login_required
@require_POST
def restore(request):
    """Take an uploaded backup as a restore job and show its page (progress, then outcome)."""
    form = RestoreForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = backup.restore_job_start(
                user=request.user,
                upload=form.cleaned_data["file"],
                replace=form.cleaned_data["replace"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("tracking:restore_job", pk=job.pk)
    filters = HistoryFilterForm(user=request.user)
    return render(
        request,
        "tracking/reports.html",
        {
            "filters": filters,
            "totals": _totals(filters, request.user),
            "query": "",
            "restore_form": form,
            "restores": _recent_restores(request.user),
        },
        status=400,
    )


def _restore_job(request, pk) -> RestoreJob:
    job = get_object_or_404(RestoreJob.objects.defer("data"), pk=pk, user=request.user)
    return jobs.job_check(job)


@login_required
def restore_job(request, pk):
    job = _restore_job(request, pk)
    return render(
        request, "tracking/restore_job.html", {"job": job, "progress": jobs.job_progress(job)}
    )


@login_required
def restore_progress(request, pk):
    """The fragment the restore page polls (htmx) while the restore runs."""
    job = _restore_job(request, pk)
    return render(
        request, "tracking/restore_progress.html", {"job": job, "progress": jobs.job_progress(job)}
    )


@login_required
@require_POST
def restore_again(request, pk):
    """Run a restore that stopped (its worker died) again."""
    job = _restore_job(request, pk)
    try:
        backup.restore_job_again(job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("tracking:restore_job", pk=job.pk)
