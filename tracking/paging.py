"""Paging the history by day: Django's Paginator over entries shown newest first (-date, -pk),
its count and the place of each page read from the daily totals filtered as the entries are.

A page deep in a long history is found by walking the days (a few hundred rows a year) to the
day it starts on, then reading the entries from that day with an OFFSET of at most that day's
entries: page 10,000 of a million entries costs about what page 2 does, and the pages hold
exactly the entries LIMIT/OFFSET over the whole history would (the totals are exact)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Sum
from django.utils.functional import cached_property


class DayTotalsPaginator(Paginator):
    """`object_list`: entries ordered by -date, -pk; `days`: the daily totals (DailyTotal or
    DailyCodeTotal) of the same entries."""

    def __init__(self, object_list, per_page, *, days):
        super().__init__(object_list, per_page)
        self.days = days

    @cached_property
    def day_counts(self) -> list[tuple]:
        """(date, entries) of each day with entries, newest first."""
        return list(
            self.days.values("date")
            .annotate(entries_of_day=Sum("entries"))
            .order_by("-date")
            .values_list("date", "entries_of_day")
        )

    @cached_property
    def count(self) -> int:
        return sum(entries for _, entries in self.day_counts)

    def page(self, number):
        number = self.validate_number(number)
        skip = (number - 1) * self.per_page
        for day, entries in self.day_counts:
            if skip < entries:
                rows = self.object_list.filter(date__lte=day)[skip : skip + self.per_page]
                return self._get_page(rows, number, self)
            skip -= entries
        return self._get_page(self.object_list.none(), number, self)
