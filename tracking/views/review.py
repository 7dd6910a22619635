"""Entries to review: the user's entries of a period whose credit came with warnings, by date,
so modifiers can be fixed before month end."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rvuedge import periods
from tracking import selectors
from tracking.forms.entry import ReviewPeriodForm


def _shortcuts(today):
    """This month and last month, as (label, start, end)."""
    this_month = periods.month_start(today)
    last_month = periods.add_months(this_month, -1)
    return [
        ("This month", this_month, today),
        ("Last month", last_month, this_month - periods.ONE_DAY),
    ]


@login_required
@require_GET
def review(request):
    form = ReviewPeriodForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    start, end = form.period() if valid else ReviewPeriodForm().period({})
    days = selectors.review_days(request.user, start, end) if valid else []
    context = {
        "form": form,
        "start": start,
        "end": end,
        "days": days,
        "count": sum(len(day.entries) for day in days),
        "shortcuts": _shortcuts(timezone.localdate()),
    }
    return render(request, "tracking/review.html", context, status=200 if valid else 400)
