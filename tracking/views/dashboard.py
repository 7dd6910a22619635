"""Dashboard, goals and pay settings, and the trainee case log."""

import csv
import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.db.models import Count, Sum
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rvuedge import periods
from tracking import selectors
from tracking.models import Benchmark, CompensationTier, DayOff, Figure, ProcedureLog

RANGES = {
    "fiscal": "Fiscal year to date",
    "12m": "Last 12 months",
    "quarter": "This quarter",
    "month": "This month",
    "5y": "Last 5 years",
}
GROUPS = {"day": "Day", "week": "Week", "month": "Month"}


def _range(key: str, today: dt.date, fiscal_start: int) -> tuple[dt.date, dt.date]:
    if key == "12m":
        return periods.add_months(periods.month_start(today), -11), today
    if key == "quarter":
        return periods.quarter_start(today), today
    if key == "month":
        return periods.month_start(today), today
    if key == "5y":
        return dt.date(today.year - 4, 1, 1), today
    return periods.fiscal_year(today, fiscal_start)[0], today


def _default_group(start: dt.date, end: dt.date) -> str:
    days = (end - start).days
    return "day" if days <= 45 else "week" if days <= 200 else "month"


@login_required
def dashboard_page(request):
    user = request.user
    today = timezone.localdate()
    prefs = selectors.preferences(user)
    if not ProcedureLog.objects.for_user(user).exists():
        return render(request, "tracking/dashboard_empty.html", {})
    range_key = request.GET.get("range") if request.GET.get("range") in RANGES else "fiscal"
    start, end = _range(range_key, today, prefs.fiscal_year_start_month)
    group = request.GET.get("group_by")
    group = group if group in GROUPS else _default_group(start, end)
    figure = prefs.goal_figure
    found = periods.periods(today, prefs.fiscal_year_start_month)
    days = selectors.daily(user, min(start, *(p.previous_start for p in found)), today)
    trend = selectors.series(user, start, end, group, days=days)
    codes, categories = selectors.case_mix(user, start, end, figure)
    by_location, by_setting = selectors.splits(user, start, end, figure)
    chart = {
        "labels": [row["period"].isoformat() for row in trend],
        "raw": [str(row["raw"]) for row in trend],
        "medicare": [str(row["medicare"]) for row in trend],
        "policy": [str(row["policy"]) for row in trend],
        "categories": [c["code__category"] for c in categories],
        "category_wrvu": [str(c["wrvu"] or 0) for c in categories],
    }
    context = {
        "periods": selectors.period_totals(user, today, prefs.fiscal_year_start_month, days),
        "standing": selectors.standing(user, today),
        "figure": figure,
        "figure_label": selectors.figure_label(figure),
        "trend": trend,
        "chart": chart,
        "codes": codes,
        "categories": categories,
        "by_location": by_location,
        "by_setting": by_setting,
        "range_key": range_key,
        "ranges": RANGES,
        "group": group,
        "groups": GROUPS,
        "start": start,
        "end": end,
    }
    return render(request, "tracking/dashboard.html", context)


class GoalsForm(forms.Form):
    annual_wrvu_target = forms.DecimalField(
        label="Annual wRVU target", min_value=0, max_value=100000, decimal_places=2, required=False
    )
    dollars_per_wrvu = forms.DecimalField(
        label="$ per wRVU",
        min_value=0,
        max_value=1000,
        decimal_places=2,
        required=False,
        help_text="Used when you have no tiers below.",
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in",
        coerce=int,
        choices=[(m, dt.date(2000, m, 1).strftime("%B")) for m in range(1, 13)],
    )
    goal_figure = forms.ChoiceField(label="Count toward goal and pay", choices=Figure.choices)


class DayOffForm(forms.ModelForm):
    class Meta:
        model = DayOff
        fields = ["date", "label"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class TierForm(forms.ModelForm):
    class Meta:
        model = CompensationTier
        fields = ["starts_at", "rate"]


@login_required
def goals(request):
    """Target, rate, tiers, fiscal year and days off."""
    user = request.user
    prefs = selectors.preferences(user)
    initial = {
        "annual_wrvu_target": user.annual_wrvu_target,
        "dollars_per_wrvu": user.dollars_per_wrvu,
        "fiscal_year_start_month": prefs.fiscal_year_start_month,
        "goal_figure": prefs.goal_figure,
    }
    form = GoalsForm(request.POST if "save_goals" in request.POST else None, initial=initial)
    day_form = DayOffForm(request.POST if "add_day" in request.POST else None)
    tier_form = TierForm(request.POST if "add_tier" in request.POST else None)
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            user.annual_wrvu_target = data["annual_wrvu_target"]
            user.dollars_per_wrvu = data["dollars_per_wrvu"]
            user.save(update_fields=["annual_wrvu_target", "dollars_per_wrvu"])
            prefs.fiscal_year_start_month = data["fiscal_year_start_month"]
            prefs.goal_figure = data["goal_figure"]
            prefs.save()
            messages.success(request, "Goals saved.")
            return redirect("tracking:goals")
        for bound, what in ((day_form, "Day off"), (tier_form, "Tier")):
            if bound.is_bound and bound.is_valid():
                item = bound.save(commit=False)
                item.user = user
                try:
                    item.save()
                except IntegrityError:
                    bound.add_error(None, f"{what} already exists.")
                else:
                    messages.success(request, f"{what} added.")
                    return redirect("tracking:goals")
    context = {
        "form": form,
        "day_form": day_form,
        "tier_form": tier_form,
        "days_off": DayOff.objects.for_user(user).filter(date__gte=today_minus_year()),
        "tiers": CompensationTier.objects.for_user(user),
    }
    return render(request, "tracking/goals.html", context)


def today_minus_year():
    return timezone.localdate() - dt.timedelta(days=366)


@login_required
@require_POST
def day_off_delete(request, pk):
    get_object_or_404(DayOff, pk=pk, user=request.user).delete()
    return redirect("tracking:goals")


@login_required
@require_POST
def tier_delete(request, pk):
    get_object_or_404(CompensationTier, pk=pk, user=request.user).delete()
    return redirect("tracking:goals")


def academic_year(day: dt.date) -> str:
    """July to June: 2025-26 for any day from July 2025 to June 2026."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{str(start + 1)[-2:]}"


def case_log_rows(user):
    """Counts by academic year, code and role, with the supervising attendings."""
    rows = (
        ProcedureLog.objects.for_user(user)
        .values("date__year", "date__month", "code__code", "code__short_descriptor",
                "code__category", "role", "supervising_attending")
        .annotate(entries=Count("pk"), units=Sum("units"))
        .order_by("code__code")
    )  # fmt: skip
    merged = {}
    for row in rows:
        year = academic_year(dt.date(row["date__year"], row["date__month"], 1))
        key = (year, row["code__code"], row["role"])
        item = merged.setdefault(
            key,
            {
                "academic_year": year,
                "code": row["code__code"],
                "description": row["code__short_descriptor"],
                "category": row["code__category"],
                "role": row["role"],
                "entries": 0,
                "units": 0,
                "attendings": set(),
            },
        )
        item["entries"] += row["entries"]
        item["units"] += row["units"]
        if row["supervising_attending"]:
            item["attendings"].add(row["supervising_attending"])
    return sorted(merged.values(), key=lambda r: (r["academic_year"], r["code"], r["role"]))


@login_required
def case_log(request):
    rows = case_log_rows(request.user)
    years = sorted({row["academic_year"] for row in rows}, reverse=True)
    chosen = request.GET.get("year")
    shown = [row for row in rows if not chosen or row["academic_year"] == chosen]
    by_role = {}
    by_category = {}
    for row in shown:
        by_role[row["role"]] = by_role.get(row["role"], 0) + row["entries"]
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["entries"]
    context = {
        "rows": shown,
        "years": years,
        "chosen": chosen,
        "by_role": sorted(by_role.items(), key=lambda kv: -kv[1]),
        "by_category": sorted(by_category.items(), key=lambda kv: -kv[1]),
        "total": sum(row["entries"] for row in shown),
    }
    return render(request, "tracking/case_log.html", context)


class _Echo:
    def write(self, value):
        return value


@login_required
def case_log_csv(request):
    writer = csv.writer(_Echo())
    header = ["academic_year", "code", "description", "category", "role", "entries", "units",
              "supervising_attendings"]  # fmt: skip

    def lines():
        yield writer.writerow(header)
        for row in case_log_rows(request.user):
            yield writer.writerow(
                [row["academic_year"], row["code"], row["description"], row["category"],
                 row["role"], row["entries"], row["units"], "; ".join(sorted(row["attendings"]))]
            )  # fmt: skip

    response = StreamingHttpResponse(lines(), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="case-log-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response


def benchmarks_page(request):
    """Every loaded benchmark figure with its source and year (public)."""
    rows = Benchmark.objects.order_by("specialty", "survey_year", "population", "annual_wrvu")
    return render(request, "tracking/benchmarks.html", {"rows": rows})
