"""The coding edits (NCCI edits and the global surgical package, ncci.checks) of lines about to
be credited: read once for the codes in play and the date of service, with the user's own
procedures around that date (which the caller reads: codes knows no user).

Quick entry, the API, imports and re-ranking call `Reader.line_edits` for each encounter and
pass the result to codes.wrvu.price_lines, which hands it to the credit engine.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Hashable, Iterable

from ncci import checks
from ncci import selectors as ncci_selectors

from .credit import CodingEdit, FeeRow
from .wrvu import LineSpec, row_for

# The user's procedures that can hold a visit in their package: the day after (a 090's day
# before) and the 90 days before (the longest post-operative period).
DAYS_BEFORE = 90
DAYS_AFTER = 1


def window(day: dt.date) -> tuple[dt.date, dt.date]:
    """The dates whose logged services matter to a service on `day`."""
    return day - dt.timedelta(days=DAYS_BEFORE), day + dt.timedelta(days=DAYS_AFTER)


class Reader:
    """Edits for many encounters: the sets in force are found once per date and their edits
    read once per set, for all the codes in play (`codes`); the user's logged services
    (`context`, ncci.checks.Service with checked=False) are indexed by date."""

    def __init__(self, codes: Iterable[str], context: Iterable[checks.Service] = ()):
        self.context = sorted(context, key=lambda s: s.day)
        self.days = [s.day for s in self.context]
        self.codes = set(codes) | {s.code for s in self.context}
        self._sets: dict[dt.date, tuple] = {}
        self._edits: dict[tuple, checks.Edits] = {}

    def edits(self, day: dt.date) -> checks.Edits:
        if day not in self._sets:
            self._sets[day] = ncci_selectors.sets_for(day)
        sets = self._sets[day]
        key = tuple(s.pk if s else None for s in sets)
        if key not in self._edits:
            self._edits[key] = ncci_selectors.edits_for(self.codes, sets, day)
        return self._edits[key]

    def around(self, day: dt.date, exclude: Hashable = None) -> list[checks.Service]:
        first, last = window(day)
        found = self.context[bisect.bisect_left(self.days, first) : bisect.bisect_right(
            self.days, last
        )]  # fmt: skip
        return [s for s in found if exclude is None or s.encounter != exclude]

    def line_edits(
        self,
        *,
        specs: list[LineSpec],
        rows: dict[tuple[str, str], FeeRow],
        day: dt.date,
        encounter: Hashable = "typed",
    ) -> list[list[CodingEdit]]:
        """The edits on each line of one encounter (`encounter` names it among the context's,
        so a re-ranked encounter is not read twice)."""
        typed = []
        for index, spec in enumerate(specs):
            row = row_for(rows, spec)
            typed.append(
                checks.Service(
                    key=("line", index),
                    code=spec.code,
                    day=day,
                    encounter=encounter,
                    modifiers=frozenset(spec.modifiers),
                    units=spec.units,
                    global_days=row.global_days if row else "",
                    work_rvu=row.work_rvu if row else 0,
                )
            )
        found = checks.check([*typed, *self.around(day, exclude=encounter)], self.edits(day))
        return [
            [CodingEdit(f.rule, f.message, f.excluded) for f in found.get(("line", i), [])]
            for i in range(len(specs))
        ]
