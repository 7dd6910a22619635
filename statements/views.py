"""Statement pages: upload and history, columns and period, the reconciliation (progress, then
the summary, filters and every line), the dispute packet (PDF, CSV), delete. Signed-in users
only; another user's statement is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from statements import packet, selectors, services
from statements.forms import LineFilterForm, StatementColumnsForm, StatementUploadForm
from statements.models import Statement
from tracking import jobs

LINES_SHOWN = 1000


def _owned(request, pk) -> Statement:
    return get_object_or_404(Statement.objects.defer("data"), pk=pk, user=request.user)


@login_required
def statement_list(request):
    form = StatementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            statement = services.statement_create(
                user=request.user, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("statements:columns", pk=statement.pk)
    history = selectors.history(request.user)
    pending = (
        Statement.objects.for_user(request.user)
        .exclude(status=Statement.Status.DONE)
        .defer("data")
        .order_by("-created_at")[:10]
    )
    context = {
        "form": form,
        "history": list(reversed(history)),
        "chart": _chart(history),
        "pending": [jobs.job_check(statement) for statement in pending],
    }
    return render(request, "statements/list.html", context, status=400 if form.errors else 200)


def _chart(history: list[Statement]) -> dict:
    """The statements' totals over time, for the chart (the table beside it holds the same)."""
    return {
        "labels": [f"{s.period_from:%Y-%m-%d}" for s in history],
        "statement": [str(s.statement_wrvu) for s in history],
        "log": [str(s.log_wrvu) for s in history],
        "owed": [str(s.owed_wrvu) for s in history],
    }


@login_required
def statement_columns(request, pk):
    statement = _owned(request, pk)
    if statement.status != Statement.Status.MAPPING:
        return redirect("statements:detail", pk=statement.pk)
    form = StatementColumnsForm(request.POST or None, statement=statement)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        statement = Statement.objects.get(pk=statement.pk)  # with its file, to read the rows
        try:
            services.statement_prepare(
                statement=statement,
                columns=form.columns(),
                period=services.Period(
                    form.cleaned_data["period_from"], form.cleaned_data["period_to"]
                ),
            )
            services.statement_start(statement=statement)
        except services.RowErrors as exc:
            form.add_error(None, exc)
            row_errors = exc.rows
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("statements:detail", pk=statement.pk)
    context = {"statement": statement, "form": form, "row_errors": row_errors}
    return render(request, "statements/columns.html", context, status=400 if form.errors else 200)


@login_required
def statement_detail(request, pk):
    statement = jobs.job_check(_owned(request, pk))
    if statement.status == Statement.Status.MAPPING:
        return redirect("statements:columns", pk=statement.pk)
    context = {"statement": statement, "progress": jobs.job_progress(statement)}
    if statement.status == Statement.Status.DONE:
        rules = selectors.rules_used(statement)
        filters = LineFilterForm(request.GET or None, rules=rules)
        chosen = (
            selectors.Filters(**filters.cleaned_data)
            if filters.is_bound and filters.is_valid()
            else selectors.Filters()
        )
        lines = selectors.lines(statement, chosen)
        context |= {
            "filters": filters,
            "filtered": chosen.active,
            "lines": lines[:LINES_SHOWN],
            "line_count": lines.count(),
            "shown": LINES_SHOWN,
            "by_status": selectors.by_status(statement),
        }
    return render(request, "statements/detail.html", context)


@login_required
def statement_progress(request, pk):
    """The progress fragment the page polls (htmx) while a large statement is reconciled."""
    statement = jobs.job_check(_owned(request, pk))
    return render(
        request,
        "statements/_progress.html",
        {"statement": statement, "progress": jobs.job_progress(statement)},
    )


@login_required
@require_POST
def statement_again(request, pk):
    statement = _owned(request, pk)
    try:
        services.statement_again(statement=statement)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("statements:detail", pk=statement.pk)


@login_required
def statement_delete(request, pk):
    statement = _owned(request, pk)
    if request.method == "POST":
        services.statement_delete(statement=statement)
        messages.success(request, f"Deleted the statement {statement.filename}.")
        return redirect("statements:list")
    return render(request, "statements/confirm_delete.html", {"statement": statement})


def _reconciled(request, pk) -> Statement | None:
    statement = _owned(request, pk)
    return statement if statement.status == Statement.Status.DONE else None


def _filename(statement: Statement, extension: str) -> str:
    period = f"{statement.period_from:%Y-%m-%d}_{statement.period_to:%Y-%m-%d}"
    return f"rvuedge-statement-{period}.{extension}"


@login_required
def dispute_pdf(request, pk):
    statement = _reconciled(request, pk)
    if statement is None:
        return redirect("statements:detail", pk=pk)
    body = packet.pdf_bytes(statement, user=request.user, generated_at=timezone.localtime())
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "pdf")}"'
    return response


@login_required
def dispute_csv(request, pk):
    statement = _reconciled(request, pk)
    if statement is None:
        return redirect("statements:detail", pk=pk)
    response = HttpResponse(packet.csv_text(statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "csv")}"'
    return response
