"""Dashboard, goals and pay settings, and the trainee case log."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rvuedge import periods
from tracking import pay_sources, selectors, services
from tracking.forms.goals import DayOffForm, PreferencesForm, TierForm
from tracking.models import CompensationTier, DayOff, ProcedureLog
from tracking.portability.exports import case_log_csv_stream
from tracking.views.stages import attendings_only

GOALS = "Goals & pay"

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
        "standing": selectors.standing(user, today, prefs=prefs),
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


@login_required
@attendings_only(GOALS)
def goals(request):
    """Target, rate, tiers, fiscal year and days off."""
    user = request.user
    form = PreferencesForm(
        request.POST if "save_goals" in request.POST else None,
        instance=selectors.preferences(user),
    )
    day_form = DayOffForm(request.POST if "add_day" in request.POST else None)
    tier_form = TierForm(request.POST if "add_tier" in request.POST else None)
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            services.preferences_update(user=user, data=form.cleaned_data)
            messages.success(request, "Goals saved.")
            return redirect("tracking:goals")
        for bound, what, create in (
            (day_form, "Day off", lambda item: services.day_off_create(user=user, day_off=item)),
            (tier_form, "Tier", lambda item: services.tier_create(user=user, tier=item)),
        ):
            if bound.is_bound and bound.is_valid():
                try:
                    create(bound.save(commit=False))
                except ValidationError as exc:
                    bound.add_error(None, exc)
                else:
                    messages.success(request, f"{what} added.")
                    return redirect("tracking:goals")
    context = {
        "form": form,
        "day_form": day_form,
        "tier_form": tier_form,
        "days_off": DayOff.objects.for_user(user).filter(date__gte=today_minus_year()),
        "tiers": CompensationTier.objects.for_user(user),
        "pay_links": pay_sources.links(),
    }
    return render(request, "tracking/goals.html", context)


def today_minus_year():
    return timezone.localdate() - dt.timedelta(days=366)


@login_required
@attendings_only(GOALS)
@require_POST
def day_off_delete(request, pk):
    services.day_off_delete(day_off=get_object_or_404(DayOff, pk=pk, user=request.user))
    return redirect("tracking:goals")


@login_required
@attendings_only(GOALS)
@require_POST
def tier_delete(request, pk):
    services.tier_delete(tier=get_object_or_404(CompensationTier, pk=pk, user=request.user))
    return redirect("tracking:goals")


@login_required
def case_log(request):
    """Counts by role and category, by PGY year (academic years from July 1) and by code."""
    rows = selectors.case_log_rows(request.user)
    years = sorted({(row["academic_year"], row["pgy_label"]) for row in rows}, reverse=True)
    chosen = request.GET.get("year")
    shown = [row for row in rows if not chosen or row["academic_year"] == chosen]
    context = {
        "rows": shown,
        "years": years,
        "chosen": chosen,
        "by_role": _counts(shown, "role_label"),
        "by_category": _counts(shown, "category"),
        "by_year": _category_by_year(rows, [year for year, _label in reversed(years)]),
        "year_labels": [label for _year, label in reversed(years)],
        "groups": _grouped(shown, "category"),
        "total": sum(row["entries"] for row in shown),
        "residency_start": request.user.residency_start_year,
    }
    return render(request, "tracking/case_log.html", context)


def _counts(rows, key) -> list[tuple[str, int]]:
    counts = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + row["entries"]
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _grouped(rows, key) -> list[tuple[str, list]]:
    groups = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return sorted(groups.items())


def _category_by_year(rows, years) -> list[dict]:
    """Cases per category (rows) and academic year (columns, oldest first), with totals."""
    table = {}
    for row in rows:
        counts = table.setdefault(row["category"], dict.fromkeys(years, 0))
        counts[row["academic_year"]] += row["entries"]
    return [
        {"category": category, "counts": list(counts.values()), "total": sum(counts.values())}
        for category, counts in sorted(table.items())
    ]


@login_required
def learning(request):
    """A student's learning view: the codes seen on each rotation, each linked to its page."""
    return render(
        request, "tracking/learning.html", {"rotations": selectors.learning(request.user)}
    )


@login_required
def case_log_csv(request):
    rows = selectors.case_log_rows(request.user)
    response = StreamingHttpResponse(case_log_csv_stream(rows), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="case-log-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response
